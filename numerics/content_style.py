"""Content/style data-generating process of Rusak et al. §4.1 (after Zimmermann et al., 2021).

Latents ``z`` live on the hyperbox ``[0, 1]^d`` or on the sphere ``S^{d-1}``; the marginal is
uniform.  The first ``d_c`` coordinates are *content*, the remaining ``d_s = d - d_c`` are
*style*.  A positive partner ``z~`` of ``z`` keeps the content (δ conditional, or a Gaussian of
std ``sigma_c`` when ``sigma_c > 0``, Jing et al.'s relaxation) and redraws the style:

* box: ``z~_s ~ N(z_s, sigma_s² I)`` truncated to ``[0, 1]`` coordinate-wise (inverse-CDF
  sampling, exact); content likewise with ``sigma_c`` when ``sigma_c > 0``;
* sphere: content coordinates are kept; the style block ``z_s = r u`` (``r = ‖z_s‖``) becomes
  ``r v`` with ``v ~ vMF(u, kappa)`` on ``S^{d_s-1}`` (Wood's algorithm), so ``z~`` stays on
  ``S^{d-1}`` and its content is exactly ``z_c`` (our reading of the source's "vMF conditional
  for style, δ for content"; with ``d_c = 0`` it is the ordinary vMF conditional of Zimmermann
  et al.).  ``d_s = 1``: ``v = ±u`` with P(+) = e^κ / (e^κ + e^-κ).

Observations are ``x = g(z)`` with an invertible generator ``g`` (:func:`make_generator`):
``"linear"`` (``x = A z``) or ``"mlp"`` (3 square layers, leaky ReLU between them).  Every
weight is ``U diag(s) Vᵀ`` with Haar ``U, V`` and singular values in ``[1/√cond, √cond]``, so
the condition number is at most ``cond`` (well-conditioned by construction).

API (stable; also used by the last-layer experiments)::

    rng = np.random.default_rng(seed)                         # or pass an int seed
    z = sample_marginal(n, d, space="box"|"sphere", seed=...)
    zt = sample_conditional(z, d_c, space, sigma_s=, sigma_c=, kappa=, seed=...)
    g = make_generator(d, kind="linear"|"mlp", seed=..., cond=4.0, slope=0.2)
    x = g(z); z_back = g.inverse(x); g.weights                 # numpy float64
    p = sample_pairs(n, d, d_c, space="box", sigma_s=0.1, sigma_c=0.0, kappa=10.0,
                     generator=g, seed=...)                   # -> Pairs(z, z_pos, x, x_pos)

All arrays are float64 numpy of shape (n, d); all draws come from the explicit ``seed``
(an int or a ``numpy.random.Generator``).  Bad input raises ValueError naming the parameter.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from sslverify.numerics.validation import check_int, check_nonnegative, check_positive

SPACES = ("box", "sphere")
GENERATORS = ("linear", "mlp")
#: A generator weight is accepted as invertible when its condition number is below this
#: (float64 inversion keeps ~16 - log10(cond) digits; 1e8 leaves 8, plenty for round trips).
MAX_COND = 1e8


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_int(seed, "seed", 0))


def _check_space(space: str) -> str:
    if space not in SPACES:
        raise ValueError(f"space must be one of {SPACES}, got {space!r}")
    return space


def check_split(d, d_c) -> tuple[int, int]:
    """Validate (d, d_c): d >= 1 and 0 <= d_c <= d."""
    d = check_int(d, "d", 1)
    d_c = check_int(d_c, "d_c", 0)
    if d_c > d:
        raise ValueError(f"d_c must be <= d (content dims are a subset of the d latents), got d_c={d_c}, d={d}")
    return d, d_c


def sample_marginal(n: int, d: int, space: str = "box", seed=0) -> np.ndarray:
    """Uniform marginal p(z) on [0,1]^d (box) or S^{d-1} (sphere)."""
    n = check_int(n, "n", 1)
    d = check_int(d, "d", 1)
    rng = _rng(seed)
    if _check_space(space) == "box":
        return rng.random((n, d))
    if d < 2:
        raise ValueError(f"d must be >= 2 on the sphere, got {d}")
    g = rng.standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def truncated_normal_box(mean: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """N(mean, sigma²) truncated to [0, 1] entry-wise, by the exact inverse CDF."""
    lo = ndtr((0.0 - mean) / sigma)
    hi = ndtr((1.0 - mean) / sigma)
    u = lo + (hi - lo) * rng.random(mean.shape)
    out = mean + sigma * ndtri(np.clip(u, 1e-300, 1 - 1e-16))
    return np.clip(out, 0.0, 1.0)


def sample_vmf(mu: np.ndarray, kappa: float, rng: np.random.Generator) -> np.ndarray:
    """Rows v ~ vMF(mu_row, kappa) on S^{p-1} (Wood 1994); mu rows must be unit vectors."""
    kappa = check_positive(kappa, "kappa")
    n, p = mu.shape
    if p == 1:
        plus = rng.random((n, 1)) < 1.0 / (1.0 + np.exp(-2.0 * kappa))
        return np.where(plus, mu, -mu)
    b = (p - 1) / (2 * kappa + np.sqrt(4 * kappa**2 + (p - 1) ** 2))
    x0 = (1 - b) / (1 + b)
    c = kappa * x0 + (p - 1) * np.log(1 - x0**2)
    w = np.empty(n)
    todo = np.arange(n)
    while todo.size:
        zb = rng.beta((p - 1) / 2, (p - 1) / 2, size=todo.size)
        ww = (1 - (1 + b) * zb) / (1 - (1 - b) * zb)
        u = rng.random(todo.size)
        ok = kappa * ww + (p - 1) * np.log(1 - x0 * ww) - c >= np.log(u)
        w[todo[ok]] = ww[ok]
        todo = todo[~ok]
    # a uniform direction orthogonal to mu
    v = rng.standard_normal((n, p))
    v -= np.sum(v * mu, axis=1, keepdims=True) * mu
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return w[:, None] * mu + np.sqrt(np.clip(1 - w**2, 0, None))[:, None] * v


def sample_conditional(z: np.ndarray, d_c: int, space: str = "box", sigma_s: float = 0.1,
                       sigma_c: float = 0.0, kappa: float = 10.0, seed=0) -> np.ndarray:
    """Positive partners z~ ~ p(z~ | z): content (first d_c coords) kept, style redrawn."""
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"z must be a 2-d array (n, d), got shape {z.shape}")
    d, d_c = check_split(z.shape[1], d_c)
    rng = _rng(seed)
    out = z.copy()
    if _check_space(space) == "box":
        sigma_s = check_positive(sigma_s, "sigma_s")
        sigma_c = check_nonnegative(sigma_c, "sigma_c")
        if d_c < d:
            out[:, d_c:] = truncated_normal_box(z[:, d_c:], sigma_s, rng)
        if d_c > 0 and sigma_c > 0:
            out[:, :d_c] = truncated_normal_box(z[:, :d_c], sigma_c, rng)
        return out
    kappa = check_positive(kappa, "kappa")
    if sigma_c:
        raise ValueError("sigma_c must be 0 on the sphere (content has a δ conditional there)")
    if d_c == d:
        return out
    zs = z[:, d_c:]
    r = np.linalg.norm(zs, axis=1, keepdims=True)
    safe = r[:, 0] > 1e-12
    if d_c == 0:
        return sample_vmf(zs / r, kappa, rng) * r
    u = np.where(safe[:, None], zs / np.where(r > 1e-12, r, 1.0), 0.0)
    u[~safe, 0] = 1.0  # style block is (numerically) zero: any direction, radius 0
    out[:, d_c:] = sample_vmf(u, kappa, rng) * r
    return out


@dataclass(frozen=True)
class Generator:
    """Invertible g: x = W_L σ(… σ(W_1 z)); σ = leaky ReLU(slope) (absent for 'linear')."""

    kind: str
    weights: tuple  # numpy (d, d) float64 arrays, applied in order
    slope: float = 0.2

    def __post_init__(self):
        for i, w in enumerate(self.weights):
            w = np.asarray(w, dtype=np.float64)
            if w.ndim != 2 or w.shape[0] != w.shape[1]:
                raise ValueError(f"weights[{i}] must be square, got shape {w.shape}")
            if not np.all(np.isfinite(w)):
                raise ValueError(f"weights[{i}] must be finite")
            cond = np.linalg.cond(w)
            if not np.isfinite(cond) or cond > MAX_COND:
                raise ValueError(f"weights[{i}] must be invertible (condition number {cond:.3g} > {MAX_COND:.0e}): "
                                 "the generator g must be invertible")
        if self.kind == "mlp":
            check_positive(self.slope, "slope")  # leaky ReLU with slope 0 is not invertible

    @property
    def d(self) -> int:
        return self.weights[0].shape[0]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        h = np.asarray(z, dtype=np.float64)
        for i, w in enumerate(self.weights):
            h = h @ w.T
            if self.kind == "mlp" and i < len(self.weights) - 1:
                h = np.where(h > 0, h, self.slope * h)
        return h

    def inverse(self, x: np.ndarray) -> np.ndarray:
        h = np.asarray(x, dtype=np.float64)
        n = len(self.weights)
        for i in reversed(range(n)):
            if self.kind == "mlp" and i < n - 1:
                h = np.where(h > 0, h, h / self.slope)
            h = np.linalg.solve(self.weights[i], h.T).T
        return h

    def linear_matrix(self) -> np.ndarray:
        """The matrix A of a linear g (x = A z); W_GT = A⁻¹ in the source's App. C notation."""
        if self.kind != "linear":
            raise ValueError("linear_matrix needs kind='linear'")
        return self.weights[0]


def well_conditioned_matrix(d: int, cond: float, rng: np.random.Generator) -> np.ndarray:
    """U diag(s) Vᵀ, U, V Haar, s log-uniform in [cond^-1/2, cond^1/2] (so κ(W) <= cond)."""
    if d == 1:
        return np.array([[1.0]])
    def haar(k):
        q, r = np.linalg.qr(rng.standard_normal((k, k)))
        return q * np.sign(np.diag(r))
    half = 0.5 * np.log(cond)
    s = np.exp(rng.uniform(-half, half, size=d))
    return (haar(d) * s) @ haar(d).T


def make_generator(d: int, kind: str = "linear", seed=0, cond: float = 4.0, slope: float = 0.2,
                   n_layers: int = 3) -> Generator:
    """Random invertible generator g (linear, or an n_layers MLP of width d with leaky ReLU)."""
    d = check_int(d, "d", 1)
    if kind not in GENERATORS:
        raise ValueError(f"kind must be one of {GENERATORS}, got {kind!r}")
    cond = check_positive(cond, "cond")
    if cond < 1:
        raise ValueError(f"cond must be >= 1 (a condition number), got {cond}")
    n_layers = check_int(n_layers, "n_layers", 1)
    rng = _rng(seed)
    k = 1 if kind == "linear" else n_layers
    return Generator(kind, tuple(well_conditioned_matrix(d, cond, rng) for _ in range(k)), slope)


@dataclass(frozen=True)
class Pairs:
    z: np.ndarray      # (n, d) latents ~ p(z)
    z_pos: np.ndarray  # (n, d) positive latents ~ p(z~ | z)
    x: np.ndarray      # (n, d) g(z)   (equal to z when no generator is given)
    x_pos: np.ndarray  # (n, d) g(z~)


def sample_pairs(n: int, d: int, d_c: int, space: str = "box", sigma_s: float = 0.1, sigma_c: float = 0.0,
                 kappa: float = 10.0, generator: Generator | None = None, seed=0) -> Pairs:
    """n anchor/positive pairs of the §4.1 DGP; negatives are the other anchors of the batch."""
    d, d_c = check_split(d, d_c)
    rng = _rng(seed)
    z = sample_marginal(n, d, space, rng)
    zt = sample_conditional(z, d_c, space, sigma_s=sigma_s, sigma_c=sigma_c, kappa=kappa, seed=rng)
    if generator is None:
        return Pairs(z, zt, z, zt)
    if generator.d != d:
        raise ValueError(f"generator must have width d={d}, got {generator.d}")
    return Pairs(z, zt, generator(z), generator(zt))
