"""clicksift tells a recipient's own click on a phishing-simulation link
from a click made by a gateway, sandbox, previewer or investigator.

Build an :class:`Engine` once and score clicks with it; each result says
who made the request and which rules decided it.
"""

from ._native import (
    Diagnostic,
    Engine,
    Error,
    Reason,
    RecordError,
    Result,
    RuleError,
    Stream,
    __version__,
)

__all__ = [
    "Diagnostic",
    "Engine",
    "Error",
    "Reason",
    "RecordError",
    "Result",
    "RuleError",
    "Stream",
    "__version__",
]
