"""Activity inputs and outputs. Pydantic only, so that workflow code can import them."""

from pydantic import BaseModel


class DeliverInput(BaseModel):
    study_id: str
    seq: int  # the append whose notifications to deliver


class DigestResult(BaseModel):
    mails: int
    items: int


class CheckpointResult(BaseModel):
    seq: int
    hash: str
    streams: int
