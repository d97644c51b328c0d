"""A multipart/form-data body read as it arrives: the text fields kept (small), the one file
part handed on chunk by chunk, so that an upload of any size never sits whole in memory (nor
in a temporary file, as Starlette's form parser would put it)."""

from collections.abc import AsyncIterator

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from .errors import ApiError

FIELD_MAX = 4096  # a text field (kind, reason): short


class MultipartStream:
    def __init__(self, request: Request, file_field: str = "file") -> None:
        kind, options = parse_options_header(request.headers.get("content-type"))
        if kind != b"multipart/form-data" or b"boundary" not in options:
            raise ApiError(422, "multipart_required", "send the document as multipart/form-data "
                           f"with a `{file_field}` part")
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.filename: str | None = None
        self._body = request.stream().__aiter__()
        self._pending: list[bytes] = []
        self._headers: dict[str, bytes] = {}
        self._header = [b"", b""]
        self._part: str | None = None  # the field being read; None before any
        self._in_file = False
        self._buffer = bytearray()
        self._parser = MultipartParser(options[b"boundary"], callbacks={
            "on_part_begin": self._begin, "on_header_field": self._header_field,
            "on_header_value": self._header_value, "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished, "on_part_data": self._data,
            "on_part_end": self._end})

    # --- the parser's callbacks (synchronous: they only sort what arrives) ------------------
    def _begin(self) -> None:
        self._headers, self._buffer = {}, bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header[0] += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._header[1] += data[start:end]

    def _header_end(self) -> None:
        name, value = self._header
        # kept as bytes (browsers send a file's name as raw UTF-8, which the options' parser
        # would refuse as text past Latin-1: "cœur.pdf" was a 500); decoded once parsed
        self._headers[name.decode("latin-1").lower()] = value
        self._header = [b"", b""]

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", b""))
        self._part = options.get(b"name", b"").decode("utf-8", "replace")
        self._in_file = self._part == self.file_field and self.filename is None
        if self._in_file:
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            self._pending.append(bytes(data[start:end]))
            return
        self._buffer += data[start:end]
        if len(self._buffer) > FIELD_MAX:
            raise ApiError(422, "field_too_long", f"{self._part}: at most {FIELD_MAX} bytes")

    def _end(self) -> None:
        if not self._in_file and self._part:
            self.fields[self._part] = self._buffer.decode("utf-8", "replace")
        self._in_file = False

    # --- reading ----------------------------------------------------------------------------
    async def _feed(self) -> bool:
        """Parse the next piece of the body; False at its end."""
        chunk = await anext(self._body, None)
        if chunk is None:
            self._parser.finalize()
            return False
        if chunk:
            self._parser.write(chunk)
        return True

    async def start(self) -> None:
        """Read up to the file part's headers (the fields before it are kept)."""
        while self.filename is None:
            if not await self._feed():
                raise ApiError(422, "file_required", f"the upload has no `{self.file_field}` "
                               "part")

    async def file_chunks(self) -> AsyncIterator[bytes]:
        """The file's bytes as they arrive; then the rest of the body (fields after it)."""
        while True:
            while self._pending:
                yield self._pending.pop(0)
            if not await self._feed():
                while self._pending:
                    yield self._pending.pop(0)
                return
