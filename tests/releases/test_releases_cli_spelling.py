"""The CLI commands behind the reads `bin/releases` adds to troubleshoot's (`cli_commands.py`)."""

from troubleshoot.cli_commands import CliSpelling, cli_command


def test_binary_members_are_read_from_files():
    command = cli_command(
        "kms",
        "verify",
        {"KeyId": "alias/k", "Message": b"\x00\x01", "Signature": b"\x02"},
        "us-east-1",
        False,
        CliSpelling(files={"Signature": "manifest.sig"}),
    )

    assert command == (
        "aws kms verify --key-id alias/k --message fileb://message.bin "
        "--signature fileb://manifest.sig --region us-east-1"
    )


def test_s3_is_s3api_and_a_body_is_written_to_the_file_named_last():
    command = cli_command(
        "s3",
        "get_object",
        {"Bucket": "b", "Key": "r/x"},
        "us-east-1",
        False,
        CliSpelling(outfile="ReleaseOutput.zip"),
    )

    assert (
        command == "aws s3api get-object --bucket b --key r/x ReleaseOutput.zip --region us-east-1"
    )


def test_a_search_over_several_pages_shows_how_many_items_it_reads_in_all():
    command = cli_command(
        "codepipeline",
        "list_pipeline_executions",
        {"pipelineName": "p", "maxResults": 100, "nextToken": "t"},
        "us-east-1",
        True,
        CliSpelling(max_items=250),
    )

    assert command == (
        "aws codepipeline list-pipeline-executions --pipeline-name p --max-items 250 "
        "--region us-east-1"
    )
