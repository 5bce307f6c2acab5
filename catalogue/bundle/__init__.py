"""The bundle builder (developers only): ``python -m catalogue.bundle --from ../shared/data``.

It reads the gathered source files of ``../shared/data`` and writes
``catalogue/data`` (see :mod:`catalogue.bundle.build`).  The running application
never imports this package: it seeds its store with :mod:`catalogue.seed`.
"""

from catalogue.bundle.build import build, main

__all__ = ["build", "main"]
