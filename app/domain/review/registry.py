"""Loading the scorebooks (评分手册) and the programmes' choice of book.

Every ``*.yaml`` in ``scorebooks/`` is one book (the file is named after its code), and
``programme_books.yaml`` says which book each programme category is scored against. A malformed
file stops loading with a ``ScorebookDefinitionError`` naming the file, the field and the problem,
as a malformed programme definition does.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from app.domain.errors import DomainError, not_found
from app.domain.programmes.catalogue import Catalogue, get_catalogue
from app.domain.programmes.registry import ProgrammeRegistry, validation_problems
from app.domain.review.schema import BookUse, OutlierSpread, ProgrammeReview, Scorebook, ScorebookFile

REVIEW_DIR = Path(__file__).parent
SCOREBOOKS_DIR = REVIEW_DIR / "scorebooks"
PROGRAMME_BOOKS_FILE = REVIEW_DIR / "programme_books.yaml"

_PROGRAMMES = TypeAdapter(dict[str, ProgrammeReview])


class ScorebookDefinitionError(Exception):
    """A scorebook or programme-books file that cannot be loaded: ``<file>: <field path>: <problem>``."""

    def __init__(self, file: Path, problems: list[tuple[str, str]]) -> None:
        self.file = file
        self.problems = problems
        lines = [f"{file.name}: {where}: {what}" if where else f"{file.name}: {what}" for where, what in problems]
        super().__init__("\n".join(lines))


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScorebookDefinitionError(path, [("", f"not valid YAML: {exc}")]) from exc


def load_book_file(path: Path) -> list[Scorebook]:
    """The editions one book file holds, in file order."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ScorebookDefinitionError(path, [("", "a scorebook is a mapping with code, names and editions")])
    try:
        book = ScorebookFile.model_validate(raw)
    except ValidationError as exc:
        raise ScorebookDefinitionError(path, validation_problems(exc)) from exc
    if book.code != path.stem:
        raise ScorebookDefinitionError(path, [("code", f"'{book.code}' must equal the file name '{path.stem}'")])
    identity = book.model_dump(exclude={"editions"})
    return [Scorebook.model_validate({**identity, **e.model_dump()}) for e in book.editions]


class ReviewRegistry:
    """The loaded books and each programme's review data."""

    def __init__(self, books: dict[str, list[Scorebook]], programmes: dict[str, ProgrammeReview]) -> None:
        self._books = books
        self._programmes = programmes

    def book_codes(self) -> list[str]:
        return sorted(self._books)

    def programme_codes(self) -> list[str]:
        return sorted(self._programmes)

    def editions(self, code: str) -> list[Scorebook]:
        return list(self._editions(code))

    def book(self, code: str, edition: str | None = None) -> Scorebook:
        """An edition of a book; without one, the last edition in its file."""
        editions = self._editions(code)
        if edition is None:
            return editions[-1]
        for e in editions:
            if e.edition == edition:
                return e
        raise not_found("评分手册版本", "Scorebook edition", f"{code}@{edition}")

    def programme(self, programme: str) -> ProgrammeReview:
        try:
            return self._programmes[programme]
        except KeyError:
            raise not_found("评奖项目的评审设置", "Review settings of programme", programme) from None

    def book_use(self, programme: str, category: str, tier: str | None = None) -> BookUse:
        """The entry choosing the book for a category (and tier) of a programme, with its clause."""
        for use in self.programme(programme).books:
            if use.category == category and (use.tiers is None or tier in use.tiers):
                return use
        where = f"{programme}/{tier}/{category}" if tier else f"{programme}/{category}"
        raise not_found("评分手册", "Scorebook for", where)

    def book_for(self, programme: str, category: str, tier: str | None = None) -> Scorebook:
        """The book a programme's category (and tier) is scored against."""
        use = self.book_use(programme, category, tier)
        return self.book(use.book, use.edition)

    def outlier_spread(self, programme: str) -> OutlierSpread:
        return self.programme(programme).outlier_spread

    def _editions(self, code: str) -> list[Scorebook]:
        try:
            return self._books[code]
        except KeyError:
            raise not_found("评分手册", "Scorebook", code) from None


def _check_references(
    programmes: dict[str, ProgrammeReview], books: dict[str, list[Scorebook]], catalogue: Catalogue
) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for code, review in programmes.items():
        cited = [(f"{code}.outlier_spread.clause", review.outlier_spread.clause)]
        for i, use in enumerate(review.books):
            where = f"{code}.books.{i}"
            cited.append((f"{where}.clause", use.clause))
            if use.book not in books:
                problems.append((f"{where}.book", f"no scorebook '{use.book}' in {SCOREBOOKS_DIR.name}/"))
            elif use.edition is not None and use.edition not in {b.edition for b in books[use.book]}:
                problems.append((f"{where}.edition", f"scorebook '{use.book}' has no edition '{use.edition}'"))
        problems += [(w, f"clause '{c}' is not in the clause catalogue") for w, c in cited if c and c not in catalogue]
    return problems


def load_review_registry(
    books_dir: Path = SCOREBOOKS_DIR, programme_books: Path = PROGRAMME_BOOKS_FILE, catalogue: Catalogue | None = None
) -> ReviewRegistry:
    """Load every book in ``books_dir`` and the programme mapping, checking each names what exists."""
    books = {path.stem: load_book_file(path) for path in sorted(books_dir.glob("*.yaml"))}
    raw = _read_yaml(programme_books)
    try:
        programmes = _PROGRAMMES.validate_python(raw)
    except ValidationError as exc:
        raise ScorebookDefinitionError(programme_books, validation_problems(exc)) from exc
    problems = _check_references(programmes, books, catalogue or get_catalogue())
    if problems:
        raise ScorebookDefinitionError(programme_books, problems)
    return ReviewRegistry(books, programmes)


def coverage_problems(review: ReviewRegistry, programmes: ProgrammeRegistry) -> list[str]:
    """Where the mapping and the programme definitions disagree: every version's category and
    tier must have exactly one book fitting its applicant kind, and the mapping may name only
    programmes, categories and tiers that exist."""
    problems: list[str] = []
    for code in review.programme_codes():
        if code not in programmes.codes():
            problems.append(f"{code}: no such programme")
    for code in programmes.codes():
        for version in programmes.versions(code):
            where = f"{code}@{version.id}"
            tiers = [t.code for t in version.tiers]
            categories = {c.code: c for c in version.categories}
            try:
                uses = review.programme(code).books
            except DomainError:
                problems.append(f"{where}: no review settings")
                continue
            for use in uses:
                if use.category not in categories:
                    problems.append(f"{where}: the mapping names category '{use.category}', which it lacks")
                problems += [
                    f"{where}: the mapping names tier '{t}', which it lacks" for t in use.tiers or [] if t not in tiers
                ]
            for category in categories.values():
                for tier in tiers:
                    try:
                        book = review.book_for(code, category.code, tier)
                    except DomainError:
                        problems.append(f"{where}: no book for tier '{tier}' of category '{category.code}'")
                        continue
                    if book.applicant_kind != category.applicant_kind:
                        problems.append(
                            f"{where}: category '{category.code}' is for {category.applicant_kind}s "
                            f"but its book {book.key} scores {book.applicant_kind}s"
                        )
    return problems


@cache
def get_review_registry() -> ReviewRegistry:
    """The books the service scores with, loaded once."""
    return load_review_registry()
