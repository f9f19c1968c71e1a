"""``regiold import``: a CMS partner page (HTML or its text) → Turtle drafts in the project's model.

Every sentence or line that no rule maps is reported with its line number; nothing is guessed.
The modules, in the order the page flows through them:

==============  ===========================================================================
``page``        reading the page: HTML or text → numbered lines and links (``read_page``)
``known``       what the site already knows: names → the IRIs of ``data/`` (``Known``)
``sections``    understanding the text: name, introduction, services, contacts (``parse``)
``facts``       sentences → facts by small rules; the rest becomes notes (``understand``)
``turtle``      facts → one Turtle file for the organisation and one per person (``build``)
``command``     the command: ``import_page``, ``write_draft``, ``check_draft``
==============  ===========================================================================
"""

from regiold.steward.importer.command import check_draft, import_page, people_dir_for, write_draft
from regiold.steward.importer.facts import SERVICE_KINDS, Facts, understand
from regiold.steward.importer.known import Known, slugify
from regiold.steward.importer.page import ImportError_, read_page
from regiold.steward.importer.sections import parse
from regiold.steward.importer.turtle import Draft, build

__all__ = ["SERVICE_KINDS", "Draft", "Facts", "ImportError_", "Known", "build", "check_draft",
           "import_page", "parse", "people_dir_for", "read_page", "slugify", "understand",
           "write_draft"]
