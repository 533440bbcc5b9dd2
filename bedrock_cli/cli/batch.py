"""`bedrock-cli batch`: many prompts at once — client-side (`run`) or Bedrock Batch Inference
over S3 (`submit`, `status`, `list`, `wait`, `fetch`, `stop`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bedrock_cli.cli.options import common_command
from bedrock_cli.cli.params import MaxTokensPerAnswer, Seed, Stop, Temperature, TopK, TopP
from bedrock_cli.cli.tuning import ParamCommand, ParamOption, TemplateOption, template_values
from bedrock_cli.context import AppContext
from bedrock_cli.errors import UsageError
from bedrock_cli.tasks.params import Sampling

if TYPE_CHECKING:
    from bedrock_cli.batch.build import Defaults

app = typer.Typer(
    help="Many prompts at once: `run` calls Bedrock from here (concurrent, adaptive, resumable); "
    "`submit`/`wait`/`fetch` use Bedrock Batch Inference over S3 (half price, for big jobs).",
    no_args_is_help=True,
)

ModelOption = Annotated[str | None, typer.Option(
    "--model", "-m", help="Default model for records without a \"model\" field.",
    show_default=False)]
InputArg = Annotated[Path, typer.Argument(
    help="JSONL input: {\"id\", \"prompt\", ...} or {\"recordId\", \"modelInput\"} per line.",
    show_default=False)]
JobArg = Annotated[str, typer.Argument(help="Job id or ARN.", show_default=False)]
TASK_HELP = "generate, summarize, extract (needs --schema) or translate (needs --to)."
SystemOption = Annotated[str | None, typer.Option(
    "--system", "-s", help="System prompt for records without one.", show_default=False)]
TaskOption = Annotated[str, typer.Option("--task", help=TASK_HELP)]
SchemaOption = Annotated[Path | None, typer.Option(
    "--schema", help="JSON Schema file for --task extract.", show_default=False)]
ToOption = Annotated[str | None, typer.Option(
    "--to", help="Target language for --task translate.", show_default=False)]


@common_command
def run(
    app: AppContext,
    input_file: InputArg,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Results, one JSON line per record, appended; running again "
        "resumes. Without it, results go to stdout (no resume).", show_default=False)] = None,
    model: ModelOption = None,
    system: SystemOption = None,
    task: TaskOption = "generate",
    schema: SchemaOption = None,
    to: ToOption = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", "-c", min=1, max=512, help="Most calls in flight (lowered "
        "automatically while Bedrock throttles).")] = 8,
    max_rps: Annotated[float | None, typer.Option(
        "--max-rps", min=0.01, help="Most calls started per second.", show_default=False)]
    = None,
    retries: Annotated[int, typer.Option(
        "--retries", min=0, max=100, help="Client-side retries per record for throttling and "
        "transient errors (after botocore's own).")] = 8,
    retry_errors: Annotated[bool, typer.Option(
        "--retry-errors/--no-retry-errors", help="On resume, run again the records whose "
        "last result was an error.")] = True,
    temperature: Temperature = None,
    top_p: TopP = None,
    top_k: TopK = None,
    max_tokens: MaxTokensPerAnswer = None,
    stop: Stop = None,
    seed: Seed = None,
    template: TemplateOption = None,
    param: ParamOption = None,
) -> None:
    """Run every record of a JSONL file through Converse, concurrently; resumable.

    With --template, each record's "prompt" is {input} and its other fields are variables."""
    from bedrock_cli.batch.execute import RunRequest, run_batch
    from bedrock_cli.batch.runner import RunOptions
    from bedrock_cli.tasks import templating

    sampling = Sampling(max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                        top_k=top_k, stop=list(stop or []), seed=seed)
    pairs = template_values(param)
    saved = templating.load(app.settings.config_path, template, pairs,
                             app.output.notice)
    if saved is not None:
        model = model or saved.model
        sampling = templating.sampling(saved, sampling)
    defaults = _defaults(model, system, task, schema, to, sampling)
    defaults.template, defaults.variables = saved, templating.variables(pairs)
    run_batch(app, RunRequest(
        input=input_file, output=output, defaults=defaults, retry_errors=retry_errors,
        options=RunOptions(concurrency=concurrency, max_rps=max_rps, retries=retries),
    ))


def _defaults(model: str | None, system: str | None, task: str, schema: Path | None,
              to: str | None, sampling: Sampling) -> Defaults:
    from bedrock_cli.batch.build import TASKS, Defaults, load_schema

    if task not in TASKS:
        raise UsageError(f"Unknown task {task!r}.", f"Use one of: {', '.join(TASKS)}.")
    schema_doc = None
    if schema is not None:
        try:
            schema_doc = load_schema(schema.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"Cannot read {schema}: {exc.strerror}.", "Check the path.") \
                from None
    return Defaults(model=model, system=system, task=task, schema=schema_doc,
                    target_language=to, sampling=sampling)


@common_command
def submit(
    app: AppContext,
    input_file: InputArg,
    input_s3: Annotated[str, typer.Option(
        "--input-s3", help="Where to upload the job file: s3://bucket/prefix/ or an exact "
        "s3://bucket/key.jsonl (file:///path/ with the local backend).", show_default=False)],
    output_s3: Annotated[str, typer.Option(
        "--output-s3", help="Where Bedrock writes results: s3://bucket/prefix/.",
        show_default=False)],
    role_arn: Annotated[str, typer.Option(
        "--role-arn", help="IAM role Bedrock assumes to read and write the buckets.",
        show_default=False)],
    model: ModelOption = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Job name [default: bedrock-cli-<UTC time>].", show_default=False)]
    = None,
    api: Annotated[str, typer.Option(
        "--api", help="converse (Converse bodies) or invoke (each model's native body).")]
    = "converse",
    timeout_hours: Annotated[int, typer.Option(
        "--timeout-hours", min=24, max=168, help="Hours before Bedrock expires the job.")] = 24,
    system: SystemOption = None,
    task: TaskOption = "generate",
    schema: SchemaOption = None,
    to: ToOption = None,
    temperature: Temperature = None,
    top_p: TopP = None,
    top_k: TopK = None,
    max_tokens: MaxTokensPerAnswer = None,
    stop: Stop = None,
    seed: Seed = None,
) -> None:
    """Create a Bedrock Batch Inference job (100 to 50,000 records; half the on-demand price)."""
    from bedrock_cli.batch import jobs

    if api not in ("converse", "invoke"):
        raise UsageError(f"Unknown --api {api!r}.", "Use converse or invoke.")
    defaults = _defaults(model, system, task, schema, to, Sampling(
        max_tokens=max_tokens, temperature=temperature, top_p=top_p, top_k=top_k,
        stop=list(stop or []), seed=seed))
    info = jobs.submit(app, jobs.SubmitRequest(
        input=input_file, input_uri=input_s3, output_uri=output_s3, role_arn=role_arn,
        defaults=defaults, name=name, api=api, timeout_hours=timeout_hours))
    out = app.output
    if out.json_mode:
        out.json(info)
        return
    out.write(f"{info['job_id']}\n")
    out.notice(f"Submitted {info['records']} records ({info['api']}) as job {info['job_name']} "
               f"({info['job_arn']}); results will be in {info['output_s3']}.")
    out.notice(f"Next: bedrock-cli batch wait {info['job_id']} && bedrock-cli batch fetch "
               f"{info['job_id']} -o results.jsonl")


@common_command
def status(app: AppContext, job: JobArg) -> None:
    """Show a batch inference job: status, progress, message, where its output goes."""
    from bedrock_cli.batch import jobs

    found = jobs.get_job(app, job)
    if app.output.json_mode:
        app.output.json(jobs.jsonable(found))
    else:
        app.output.write(jobs.describe(found) + "\n")


@common_command
def list_jobs(
    app: AppContext,
    status_filter: Annotated[str | None, typer.Option(
        "--status", help="Only jobs in this status (InProgress, Completed, Failed, ...).",
        show_default=False)] = None,
    name_contains: Annotated[str | None, typer.Option(
        "--name-contains", help="Only jobs whose name contains this.", show_default=False)]
    = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=10000,
                                       help="Most jobs to show, newest first.")] = 50,
) -> None:
    """List batch inference jobs, newest first."""
    from bedrock_cli.batch import jobs

    found = jobs.list_jobs(app, status=status_filter, name_contains=name_contains, limit=limit)
    out = app.output
    if out.json_mode:
        for item in found:
            out.json(jobs.jsonable(item), lines=True)
    else:
        out.write(jobs.table(found) + "\n")


@common_command
def wait(
    app: AppContext,
    job: JobArg,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.05, help="Seconds between the first polls (grows while nothing "
        "changes).")] = 2.0,
    max_interval: Annotated[float, typer.Option(
        "--max-interval", min=0.05, help="Longest wait between polls.")] = 60.0,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.0, help="Give up after this many seconds (exit 5).",
        show_default=False)] = None,
) -> None:
    """Wait for a batch inference job to end; exit 0 only when it Completed."""
    from bedrock_cli.batch import jobs
    from bedrock_cli.batch.waiting import show_wait

    final = show_wait(app, job, lambda on_poll: jobs.wait(
        app, job, interval=interval, max_interval=max_interval, timeout=timeout,
        on_poll=on_poll))
    jobs.wait_outcome(final, job)


@common_command
def fetch(
    app: AppContext,
    job: JobArg,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Where to write the results (same lines as `batch run`).",
        show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT.")] = False,
) -> None:
    """Download a finished job's results as `batch run`-style JSON lines."""
    from bedrock_cli.batch import fetch as batch_fetch

    fetched = batch_fetch.fetch(app, job, output, force=force)
    out = app.output
    tokens = fetched.manifest.get("inputTokenCount", 0) + fetched.manifest.get(
        "outputTokenCount", 0)
    if out.json_mode:
        out.json({"output": str(output), "succeeded": fetched.ok, "failed": fetched.failed,
                  "files": fetched.files, "manifest": fetched.manifest}, lines=True)
    else:
        out.notice(f"Wrote {fetched.ok + fetched.failed} results to {output}: {fetched.ok} "
                   f"succeeded, {fetched.failed} failed; {tokens:,} tokens.")
    batch_fetch.fetch_outcome(fetched, output)


@common_command
def stop(app: AppContext, job: JobArg) -> None:
    """Stop a batch inference job (records already processed are kept and billed)."""
    from bedrock_cli.batch import jobs

    jobs.stop_job(app, job)
    app.output.notice(f"Stopping job {job}; `bedrock-cli batch status {job}` shows when it has "
                      "stopped.")


app.command("run", cls=ParamCommand)(run)
app.command("submit")(submit)
app.command("status")(status)
app.command("list")(list_jobs)
app.command("wait")(wait)
app.command("fetch")(fetch)
app.command("stop")(stop)
