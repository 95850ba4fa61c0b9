"""Password hashes use argon2's production parameters unless a test suite asks for cheap ones."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import extract_parameters, profiles

from chat_backend.domain import passwords


@pytest.fixture
def hasher_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    passwords._hasher.cache_clear()
    yield monkeypatch
    passwords._hasher.cache_clear()


def test_production_hashes_use_rfc_9106_low_memory_parameters(hasher_env: pytest.MonkeyPatch) -> None:
    hasher_env.delenv(passwords.CHEAP_FOR_TESTS, raising=False)
    made = passwords.hash_now("correct horse battery")
    parameters = extract_parameters(made)
    expected = profiles.RFC_9106_LOW_MEMORY
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (
        expected.time_cost,
        expected.memory_cost,
        expected.parallelism,
    )
    assert passwords._verify(made, "correct horse battery")
    assert not passwords._verify(made, "wrong horse battery")


def test_cheap_test_hashes_are_opt_in_and_both_kinds_verify(hasher_env: pytest.MonkeyPatch) -> None:
    hasher_env.delenv(passwords.CHEAP_FOR_TESTS, raising=False)
    strong = passwords.hash_now("a password for real")
    for value in ("0", "yes", ""):  # only exactly "1" turns it on
        hasher_env.setenv(passwords.CHEAP_FOR_TESTS, value)
        passwords._hasher.cache_clear()
        assert extract_parameters(passwords.hash_now("x" * 12)).memory_cost == 65536
    hasher_env.setenv(passwords.CHEAP_FOR_TESTS, "1")
    passwords._hasher.cache_clear()
    cheap = passwords.hash_now("a password for tests")
    assert extract_parameters(cheap).memory_cost == profiles.CHEAPEST.memory_cost
    assert passwords._verify(cheap, "a password for tests")
    assert passwords._verify(strong, "a password for real")  # a hash keeps its own parameters
    assert not passwords._verify(strong, "a password for tests")
