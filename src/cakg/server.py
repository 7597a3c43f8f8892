"""The service's entry point for ``cakg serve`` and embedders: the application factory and its configuration.

The service itself is the package :mod:`cakg.service`; this module keeps the names
the command line and existing callers import.
"""

from __future__ import annotations

from .service import Service, ServiceConfig, create_app

__all__ = ["ServiceConfig", "Service", "create_app"]
