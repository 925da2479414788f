"""Reading a file the user named, where every way it can be unreadable is a one-line error."""

from pathlib import Path

from offline_preview.errors import PreviewError


def read_text(path: Path, what: str) -> str:
    """The file's UTF-8 text; `what` names it in the error (e.g. "--policy-pack-config x.json")."""
    if path.is_dir():
        raise PreviewError(f"{what}: is a directory; give the path of a file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PreviewError(f"{what}: no such file") from None
    except OSError as exc:
        raise PreviewError(f"{what}: cannot be read ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PreviewError(
            f"{what}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        ) from None
