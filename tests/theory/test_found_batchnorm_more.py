"""More checks of sslverify.theory.found.batchnorm (input validation of ``as_defined``)."""
from __future__ import annotations

import pytest

from sslverify.theory.found import batchnorm


def test_as_defined_smallest_legal_batch_is_two():
    """N = 2 is the smallest batch with a non-zero batch variance: it must work and give all checks True."""
    r = batchnorm.as_defined(2)
    assert r["variance_residual"] == "0"
    assert r["jacobian_kills_ones"] and r["jacobian_kills_centred"] and r["eps_product_is_gamma_eps_over_root3"]


@pytest.mark.parametrize("n", [1, 0])
def test_as_defined_rejects_batch_below_two(n):
    """A batch of one has v = 0 and no BN output variance: batch sizes below 2 raise naming batch_size."""
    with pytest.raises(ValueError, match="batch_size"):
        batchnorm.as_defined(n)
