"""The store satisfies every storage protocol, and each protocol documents itself."""

from __future__ import annotations

import inspect

import pytest

from bot.storage import Store
from bot.storage.protocols import PROTOCOLS

# Members every Protocol class has that are not part of the interface.
_PROTOCOL_MACHINERY = set(dir(type("Empty", (), {})))


def methods_of(protocol: type) -> dict[str, object]:
    """The methods a protocol declares, its bases' included."""
    return {
        name: member
        for name, member in inspect.getmembers(protocol, inspect.isfunction)
        if not name.startswith("_") and name not in _PROTOCOL_MACHINERY
    }


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
async def test_the_store_is_an_instance_of_every_protocol(store: Store, protocol: type) -> None:
    assert isinstance(store, protocol)


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_store_methods_have_the_protocols_signatures(protocol: type) -> None:
    methods = methods_of(protocol)
    assert methods, f"{protocol.__name__} declares no method"
    for name, declared in methods.items():
        implemented = getattr(Store, name)
        assert inspect.iscoroutinefunction(implemented) == inspect.iscoroutinefunction(declared)
        assert inspect.signature(implemented) == inspect.signature(declared), name


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_every_protocol_says_what_it_raises_and_each_method_what_it_does(
    protocol: type,
) -> None:
    assert "raise" in (protocol.__doc__ or "").lower()
    for name, method in methods_of(protocol).items():
        doc = inspect.getdoc(method) or ""
        assert doc and "\n" not in doc, f"{protocol.__name__}.{name}: one-line docstring"


def test_every_public_store_method_belongs_to_a_protocol() -> None:
    declared = {name for protocol in PROTOCOLS for name in methods_of(protocol)}
    public = {
        name
        for name, member in inspect.getmembers(Store, inspect.iscoroutinefunction)
        if not name.startswith("_")
    }
    # Only the composition root and the CLI migrate, wait for and close the store.
    assert public - declared == {"migrate", "close", "is_migrated", "wait_until_reachable"}
