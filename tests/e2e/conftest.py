"""The real product as processes for the end-to-end tests (started by bench/product.py, shared with the chat benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.product import INDEX, MODEL, Product, running_product

__all__ = ["INDEX", "MODEL", "Product", "running_product"]  # the suites import them from here

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="session")
def product(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Product]:
    with running_product(tmp_path_factory.mktemp("product")) as running:
        yield running
