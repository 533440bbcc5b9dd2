"""`image`: plan the requests (`plan`), check and load inputs (`checks`, `inputs`), name and
write files (`files`), run the plan and keep what came back (`run`)."""
