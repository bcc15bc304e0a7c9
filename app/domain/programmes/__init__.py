"""Programmes as data (评奖项目): the five regulations encoded, versioned and traceable to their clauses.

``get_registry()`` gives the loaded programmes; ``get_catalogue()`` the clause catalogue. No
code branches on a programme's name: it reads the programme's definition.
"""

from app.domain.programmes.catalogue import Catalogue, Clause, get_catalogue
from app.domain.programmes.registry import ProgrammeDefinitionError, ProgrammeRegistry, get_registry, load_registry
from app.domain.programmes.schema import NOTICE_STAGES, STAGE_ORDER, Actor, Stage
from app.domain.programmes.version import ProgrammeVersion

__all__ = [
    "NOTICE_STAGES",
    "STAGE_ORDER",
    "Actor",
    "Catalogue",
    "Clause",
    "ProgrammeDefinitionError",
    "ProgrammeRegistry",
    "ProgrammeVersion",
    "Stage",
    "get_catalogue",
    "get_registry",
    "load_registry",
]
