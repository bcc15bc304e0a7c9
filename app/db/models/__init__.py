"""Every ORM model, imported so that ``Base.metadata`` knows all tables (for Alembic)."""

from app.db.models import calendar  # noqa: F401
from app.db.models import intake  # noqa: F401
from app.db.models import notices  # noqa: F401
from app.db.models import platform  # noqa: F401
from app.db.models import recommendation  # noqa: F401
from app.db.models import workflow  # noqa: F401
