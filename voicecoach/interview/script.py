"""What the interviewer says, from ``prompts/interviewer.toml``, checked when it is loaded."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import BadDataFile
from ..prompts import check_template, prompts_dir, read_toml

__all__ = ["InterviewerScript", "load_script", "default_script", "LINES"]

LINES: dict[str, frozenset[str]] = {
    "intro": frozenset({"n", "questions"}),
    "intro_help": frozenset(),
    "demo_intro": frozenset({"n"}),
    "question": frozenset({"n", "total", "text"}),
    "silence_prompt": frozenset(),
    "move_on": frozenset(),
    "skipping": frozenset(),
    "skipping_follow_up": frozenset(),
    "paused": frozenset(),
    "nothing_heard": frozenset(),
    "reopening": frozenset({"n"}),
    "nothing_to_reopen": frozenset(),
    "pressed_not_now": frozenset({"command"}),
    "tip": frozenset({"tip"}),
    "summary": frozenset({"answered", "questions", "suited"}),
    "summary_tip": frozenset({"tip"}),
    "probe_order_hr": frozenset(),
    "probe_order_hiring_manager": frozenset(),
    "probe_example": frozenset(),
}
"""Every line and the placeholders it may use."""


@dataclass(frozen=True)
class InterviewerScript:
    """The interviewer's lines by key."""

    lines: dict[str, str]

    def say(self, key: str, **values) -> str:
        """The line ``key`` with its placeholders filled in."""
        return self.lines[key].format(**values)


def load_script(path: str | Path | None = None) -> InterviewerScript:
    """Read and check ``interviewer.toml``.

    Raises:
        BadDataFile: a line is missing, unknown, empty or uses a placeholder it does not offer.
    """
    path = Path(path) if path else prompts_dir() / "interviewer.toml"
    data = read_toml(path)
    unknown = sorted(set(data) - set(LINES))
    if unknown:
        raise BadDataFile(f"{path.name}: unknown line '{unknown[0]}' (known: {', '.join(LINES)})")
    missing = [k for k in LINES if k not in data]
    if missing:
        raise BadDataFile(f"{path.name}: missing line '{missing[0]}'")
    return InterviewerScript({k: check_template(f"{path.name}: {k}", data[k], allowed) for k, allowed in LINES.items()})


@lru_cache(maxsize=2)
def default_script() -> InterviewerScript:
    """The script from the prompts folder, loaded once."""
    return load_script()
