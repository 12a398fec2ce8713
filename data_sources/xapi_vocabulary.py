"""Built-in xAPI verb vocabulary: full verb IRIs mapped onto the contract's five verbs.

Each entry is a verb IRI that real learning systems write (ADL's vocabulary, cmi5,
the Tin Can registry, the xAPI video profile, Activity Streams, Open edX's
event-routing-backends, Moodle's logstore_xapi, H5P) and what it means for the
data contract (``launched, attempted, completed, passed, failed``):

* ``launched``: the learner opened or (re)entered the activity (launched,
  initialized, resumed, registered, navigated to, accessed);
* ``attempted``: any other engagement with the activity that is neither a
  completion nor a pass/fail (answered, interacted, experienced, viewed,
  progressed, played a video, asked for a hint, a session that ended, a grade
  earned, ...);
* ``completed``, ``passed``, ``failed``: as the verbs say (cmi5 ``satisfied`` is a
  completion, ADL ``mastered`` a pass);
* ``IGNORE``: a known verb that is not a learning event (forum moderation, an
  enrolment withdrawn, an import, cmi5 ``waived``); such a statement is rejected
  with that reason, not as an unknown verb.

IRIs match case-insensitively (ADL's xAPI-Dashboard sample writes
``.../verbs/Completed``). A source configuration extends or overrides the table by
IRI (``[tables.learning_events.verbs]``); an IRI in neither is rejected, naming it.

``http://adlnet.gov/expapi/verbs/voided`` is not here: a voiding statement removes
its target (see ``data_sources.xapi``).

Example
-------
>>> contract_verb("http://adlnet.gov/expapi/verbs/Completed")
'completed'
>>> contract_verb("https://w3id.org/xapi/video/verbs/played")
'attempted'
>>> contract_verb("http://id.tincanapi.com/verb/unregistered")
'ignore'
>>> contract_verb("http://example.com/verbs/danced") is None
True
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

#: A known verb that is not a learning event.
IGNORE = "ignore"
#: The verb of a voiding statement (xAPI 1.0.3 §2.3.2).
VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"

_ADL = "http://adlnet.gov/expapi/verbs/"
_CMI5 = "https://w3id.org/xapi/adl/verbs/"
_CMI5_PURL = "http://purl.org/xapi/adl/verbs/"
_TINCAN = "http://id.tincanapi.com/verb/"
_VIDEO = "https://w3id.org/xapi/video/verbs/"
_ACROSSX = "https://w3id.org/xapi/acrossx/verbs/"
_DODISD = "https://w3id.org/xapi/dod-isd/verbs/"
_OPENEDX = "https://w3id.org/xapi/openedx/verb/"
_AS = "http://activitystrea.ms/schema/1.0/"

#: (verb IRI, contract verb or IGNORE, who writes it). Lower-case IRIs.
_ENTRIES: tuple[tuple[str, str, str], ...] = (
    # ADL vocabulary (adlnet/xAPIWrapper verbs.js; H5P emits the same IRIs)
    (_ADL + "launched", "launched", "ADL, cmi5"),
    (_ADL + "initialized", "launched", "ADL, cmi5, Open edX video"),
    (_ADL + "resumed", "launched", "ADL"),
    (_ADL + "registered", "launched", "ADL, Open edX, Moodle (enrolment)"),
    (_ADL + "attempted", "attempted", "ADL, Moodle, H5P"),
    (_ADL + "answered", "attempted", "ADL, H5P, Moodle"),
    (_ADL + "responded", "attempted", "ADL"),
    (_ADL + "interacted", "attempted", "ADL, H5P, Open edX video"),
    (_ADL + "experienced", "attempted", "ADL, Open edX"),
    (_ADL + "attended", "attempted", "ADL"),
    (_ADL + "progressed", "attempted", "ADL, H5P, Open edX"),
    (_ADL + "scored", "attempted", "ADL, Moodle"),
    (_ADL + "suspended", "attempted", "ADL"),
    (_ADL + "exited", "attempted", "ADL"),
    (_ADL + "terminated", "attempted", "ADL, cmi5, Open edX video"),
    (_ADL + "completed", "completed", "ADL, cmi5, Open edX, Moodle, H5P"),
    (_ADL + "passed", "passed", "ADL, cmi5, Open edX"),
    (_ADL + "mastered", "passed", "ADL"),
    (_ADL + "failed", "failed", "ADL, cmi5, Open edX"),
    (_ADL + "asked", "attempted", "ADL, Open edX (hint or answer shown)"),
    (_ADL + "commented", "attempted", "ADL"),
    (_ADL + "shared", IGNORE, "ADL"),
    (_ADL + "preferred", IGNORE, "ADL"),
    (_ADL + "imported", IGNORE, "ADL"),
    (_ADL + "downloaded", IGNORE, "H5P toolbar"),
    (_ADL + "copied", IGNORE, "H5P toolbar"),
    (_ADL + "accessed-reuse", IGNORE, "H5P toolbar"),
    (_ADL + "accessed-embed", IGNORE, "H5P toolbar"),
    (_ADL + "accessed-copyright", IGNORE, "H5P toolbar"),
    # cmi5 (ADL's w3id namespace, and the older purl one)
    (_CMI5 + "abandoned", "attempted", "cmi5"),
    (_CMI5 + "satisfied", "completed", "cmi5"),
    (_CMI5 + "waived", IGNORE, "cmi5 (requirement met without taking the activity)"),
    (_CMI5_PURL + "abandoned", "attempted", "cmi5 (purl)"),
    (_CMI5_PURL + "satisfied", "completed", "cmi5 (purl)"),
    (_CMI5_PURL + "waived", IGNORE, "cmi5 (purl; requirement met without taking the activity)"),
    # Tin Can registry
    (_TINCAN + "viewed", "attempted", "Tin Can registry, Moodle, Open edX"),
    (_TINCAN + "earned", "attempted", "Tin Can registry, Open edX (grade)"),
    (_TINCAN + "unregistered", IGNORE, "Tin Can registry, Open edX (unenrolment)"),
    # xAPI video profile
    (_VIDEO + "played", "attempted", "xAPI video profile, Open edX"),
    (_VIDEO + "paused", "attempted", "xAPI video profile, Open edX"),
    (_VIDEO + "seeked", "attempted", "xAPI video profile, Open edX"),
    # acrossX, DoD ISD and Open edX profiles (event-routing-backends)
    (_ACROSSX + "evaluated", "attempted", "acrossX, Open edX (problem check)"),
    (_ACROSSX + "posted", IGNORE, "acrossX, Open edX (forum)"),
    (_ACROSSX + "edited", IGNORE, "acrossX, Open edX (forum)"),
    (_ACROSSX + "reported", IGNORE, "acrossX, Open edX (forum)"),
    (_DODISD + "navigated", "launched", "DoD ISD, Open edX (navigation)"),
    (_DODISD + "deleted", IGNORE, "DoD ISD, Open edX (forum)"),
    (_OPENEDX + "voted", IGNORE, "Open edX (forum)"),
    (_OPENEDX + "unreported", IGNORE, "Open edX (forum)"),
    # Activity Streams (Moodle and others)
    (_AS + "access", "launched", "Activity Streams"),
    (_AS + "start", "launched", "Activity Streams"),
    (_AS + "submit", "attempted", "Activity Streams, Moodle (submission)"),
    (_AS + "complete", "completed", "Activity Streams"),
)

#: The built-in vocabulary: lower-case verb IRI -> contract verb (or ``IGNORE``).
BUILTIN_VERBS: Mapping[str, str] = MappingProxyType({iri: verb for iri, verb, _ in _ENTRIES})
#: Who writes each built-in IRI (for documentation and reject reasons).
VERB_SOURCES: Mapping[str, str] = MappingProxyType({iri: who for iri, _, who in _ENTRIES})


def vocabulary(extra: Mapping[str, str] | None = None, *, builtin: bool = True) -> Mapping[str, str]:
    """The vocabulary in force: the built-in one (unless ``builtin`` is False) overridden by ``extra``.

    Keys are lower-cased so that lookups are case-insensitive.

    Example
    -------
    >>> v = vocabulary({"http://example.com/verbs/Watched": "attempted"})
    >>> v["http://example.com/verbs/watched"], len(vocabulary(builtin=False))
    ('attempted', 0)
    """
    merged: dict[str, str] = dict(BUILTIN_VERBS) if builtin else {}
    merged.update({str(k).strip().lower(): v for k, v in (extra or {}).items()})
    return MappingProxyType(merged)


def contract_verb(iri: str, vocab: Mapping[str, str] | None = None) -> str | None:
    """The contract verb (or ``IGNORE``) for a verb IRI; None when the IRI is unknown.

    Example
    -------
    >>> contract_verb("HTTP://ADLNET.GOV/EXPAPI/VERBS/PASSED")
    'passed'
    """
    return (vocab if vocab is not None else BUILTIN_VERBS).get(iri.strip().lower())


__all__ = ["BUILTIN_VERBS", "IGNORE", "VERB_SOURCES", "VOIDED_VERB", "contract_verb", "vocabulary"]
