"""Reading a file the user named, where every way it can be unreadable is a one-line error."""

from pathlib import Path

from offline_preview.errors import PreviewError

# No stack, project, policy-config or lookups file comes near this; /dev/zero or a runaway pipe would
# otherwise be read until memory runs out.
MAX_BYTES = 16 * 1024 * 1024


def read_text(path: Path, what: str) -> str:
    """The file's UTF-8 text; `what` names it in the error (e.g. "--policy-pack-config x.json")."""
    if path.is_dir():
        raise PreviewError(f"{what}: is a directory; give the path of a file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise PreviewError(f"{what}: no such file") from None
    except OSError as exc:
        raise PreviewError(f"{what}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise PreviewError(
            f"{what}: larger than {MAX_BYTES // (1024 * 1024)} MiB; give the path of a text file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PreviewError(
            f"{what}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None
