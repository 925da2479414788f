"""The delivery stages of one service: source, build, deploy and the pipeline that runs them."""
