"""Type stubs for clicksift."""

import datetime
import os
from collections.abc import Iterable, Mapping
from typing import Any, Literal, Union, overload

__version__: str

Verdict = Literal["human", "machine", "uncertain"]
Source = Literal[
    "recipient",
    "investigator",
    "mail_gateway",
    "sandbox",
    "link_preview",
    "prefetch",
    "crawler",
    "automation",
    "unknown",
]
StrPath = Union[str, os.PathLike[str]]
Time = Union[str, datetime.datetime]
Click = Mapping[str, Any]
"""A click with the keys of clicksift's JSON Lines schema: campaign,
recipient, at, ip (str); optionally id (str | int), kind, link, sent_at,
delivered_at (str | datetime), user_agent, method, url, reverse_dns (str),
honeypot (bool), headers (dict[str, str]). Unknown keys are ignored."""

class Error(Exception):
    """Base class of every error clicksift raises."""

class RuleError(Error):
    """Rules or catalogues did not build."""

    diagnostics: list[Diagnostic]

class RecordError(Error):
    """A click record is malformed."""

    line: int
    field: str | None
    message: str

class Diagnostic:
    """One problem in rules or catalogues."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int:
        """1-based, or 0 for the file as a whole."""
    @property
    def column(self) -> int:
        """1-based in characters, or 0 with line 0."""
    @property
    def message(self) -> str: ...

class Reason:
    """One rule that fired, with the evidence it saw."""

    @property
    def rule(self) -> str: ...
    @property
    def weight(self) -> int:
        """Positive for machine evidence, negative for the recipient."""
    @property
    def detail(self) -> str: ...

class Result:
    """The engine's judgement of one click."""

    @property
    def score(self) -> int:
        """0 to 100: how likely the request is not the recipient's own."""
    @property
    def verdict(self) -> Verdict: ...
    @property
    def source(self) -> Source: ...
    @property
    def reasons(self) -> list[Reason]:
        """Every rule that fired, strongest first."""

class Engine:
    """The scoring engine, built once and safe to share between threads."""

    def __init__(
        self,
        rules: list[StrPath] | None = None,
        rule_texts: list[str] | None = None,
        default_rules: bool = True,
        mmdb: list[StrPath] | None = None,
    ) -> None:
        """Raises RuleError for rules that do not build, Error for a
        database that cannot be opened."""
    def score(self, click: Click, line: int = 1) -> Result:
        """Raises RecordError for a malformed click."""
    def score_json(self, text: str, line: int = 1) -> Result:
        """Raises RecordError for a malformed click."""
    @overload
    def score_many(
        self, clicks: Iterable[Click], on_error: Literal["raise"] = "raise"
    ) -> list[Result]: ...
    @overload
    def score_many(
        self, clicks: Iterable[Click], on_error: Literal["keep"]
    ) -> list[Result | RecordError]: ...
    @overload
    def score_log(
        self, clicks: Iterable[Click], on_error: Literal["raise"] = "raise"
    ) -> list[Result]:
        """Scores a whole log with the campaign heuristics, in input order."""
    @overload
    def score_log(
        self, clicks: Iterable[Click], on_error: Literal["keep"]
    ) -> list[Result | RecordError]: ...
    def stream(self) -> Stream:
        """A stream judging events in time order with the campaign
        heuristics."""

class Stream:
    """Judges events that arrive in time order with the campaign
    heuristics."""

    def push(self, click: Click, line: int = 1) -> int:
        """Takes the next event and returns its sequence number. Raises
        RecordError for a malformed event or one older than the last."""
    def push_json(self, text: str, line: int = 1) -> int: ...
    def ready(self) -> list[tuple[int, Result]]:
        """Judgements no later event can change, in time order."""
    def finish(self) -> list[tuple[int, Result]]:
        """Every remaining judgement, at the end of the stream."""
    @property
    def held_events(self) -> int: ...
