"""`ask`: the question over text, files and folders with cited sources (`question`), and
about images (`images`)."""
