"""Linear algebra of Rusak App. A / App. C: lemma 2, lemma 3, lemma 6, eq. 15, L_CL at W = 0.

Symbolic where SymPy can (generic symbolic factors at small sizes), exact rational ranks for
generated integer matrices, and the eq. 4 gradient by torch autograd for lemma 6.
"""
from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import sympy as sp
import torch


# ----------------------------------------------------------------------------- lemma 2
def _sym(name: str, m: int, n: int) -> sp.Matrix:
    return sp.Matrix(m, n, lambda i, j: sp.Symbol(f"{name}{i}{j}"))


def minors_vanish(M: sp.Matrix, k: int) -> bool:
    """Every k×k minor of M expands to the zero polynomial (so rank M < k for all values)."""
    rows, cols = M.shape
    if k > min(rows, cols):
        return True
    for r in itertools.combinations(range(rows), k):
        for c in itertools.combinations(range(cols), k):
            if sp.expand(M.extract(list(r), list(c)).det(method="berkowitz")) != 0:
                return False
    return True


@lru_cache(maxsize=None)
def lemma2_symbolic(m: int = 3, n: int = 3, k: int = 3, r: int = 1) -> dict:
    """Rusak eq. 3: A = P Q with r columns in P (rank A ≤ r) ⇒ every (r+1)-minor of AB is 0;
    likewise B = R S with r rows in S ⇒ every (r+1)-minor of AB is 0 (Cauchy–Binet), for fully
    symbolic factors P, Q, R, S, B, A.  Returns which of the two bounds hold identically."""
    A = _sym("p", m, r) * _sym("q", r, n)
    B = _sym("b", n, k)
    left = minors_vanish(A * B, r + 1)
    A2 = _sym("a", m, n)
    B2 = _sym("r", n, r) * _sym("s", r, k)
    right = minors_vanish(A2 * B2, r + 1)
    return {"rank_AB_le_rank_A": left, "rank_AB_le_rank_B": right, "sizes": [m, n, k], "r": r}


def exact_rank(M) -> int:
    return sp.Matrix(M).rank()


# ----------------------------------------------------------------------------- lemma 3
@lru_cache(maxsize=None)
def det_multiplicative(n: int) -> bool:
    """det(AB) − det(A) det(B) expands to 0 for symbolic n×n A, B."""
    A, B = _sym("a", n, n), _sym("b", n, n)
    return sp.expand((A * B).det(method="berkowitz") - A.det(method="berkowitz") * B.det(method="berkowitz")) == 0


def lemma3_source_says(A, B) -> bool:
    """The source's lemma 3 as written: 'AB singular ⇔ A and B both singular'."""
    A, B = sp.Matrix(A), sp.Matrix(B)
    return ((A * B).det() == 0) == (A.det() == 0 and B.det() == 0)


def lemma3_corrected(A, B) -> bool:
    """Corrected: AB singular ⇔ A or B singular (det(AB) = det A det B)."""
    A, B = sp.Matrix(A), sp.Matrix(B)
    return ((A * B).det() == 0) == (A.det() == 0 or B.det() == 0)


LEMMA3_COUNTEREXAMPLE = {"A": [[0]], "B": [[1]]}  # n = 1: AB = [0] singular, B invertible


# ----------------------------------------------------------------------------- loss at W = 0
@lru_cache(maxsize=None)
def loss_at_zero() -> dict:
    """L_CL of the literal eq. 4 at W = 0 for a batch of M + 1 samples (symbolic M).

    At W = 0 every z is 0, so each −log(e^0 / (e^0 + Σ_{j≠i} e^0)) = log(1 + M); the outer double
    sum Σ_i Σ_{j≠i} has (M + 1)·M terms that do not depend on j.
    """
    M, i, j = sp.symbols("M i j", positive=True, integer=True)
    term = -sp.log(sp.Integer(1) / (1 + M))  # every exponential is e^0 = 1
    literal = sp.summation(sp.summation(term, (j, 1, M)), (i, 1, M + 1))  # j ≠ i: M values
    claimed = (M + 1) * M * sp.log(1 + M)
    return {"literal_eq4": literal, "claimed": claimed, "equal": sp.simplify(literal - claimed) == 0,
            "per_anchor": sp.simplify(term), "single_sum": sp.simplify((M + 1) * term)}


def eq4_literal_torch(z: torch.Tensor, zt: torch.Tensor) -> torch.Tensor:
    """Literal eq. 4 (τ = 1): Σ_i Σ_{j≠i} −log(e^{−‖z_i−z~_i‖²/2} / (e^{…} + Σ_{j≠i} e^{−‖z_i−z_j‖²/2}))."""
    n = z.shape[0]
    pos = -((z - zt) ** 2).sum(-1) / 2
    neg = -torch.cdist(z, z) ** 2 / 2
    neg = neg.masked_fill(torch.eye(n, dtype=torch.bool), float("-inf"))
    per_anchor = torch.logsumexp(torch.cat([pos[:, None], neg], 1), 1) - pos
    return (n - 1) * per_anchor.sum()  # the outer Σ_{j≠i} repeats a j-independent term n − 1 = M times


# ----------------------------------------------------------------------------- lemma 6
def eq4_single_sum_loss(W: torch.Tensor, x: torch.Tensor, xt: torch.Tensor, detach_negatives: bool = False):
    """Σ_i −log(e^{−a_i} / (e^{−a_i} + Σ_{j≠i} e^{−b_ij})), z = W x (eq. 4 with one sum, τ = 1)."""
    z, zt = x @ W.T, xt @ W.T
    zn = x @ W.detach().T if detach_negatives else z
    a = ((z - zt) ** 2).sum(-1) / 2
    b = ((z[:, None, :] - zn[None, :, :]) ** 2).sum(-1) / 2
    n = x.shape[0]
    b = b.masked_fill(torch.eye(n, dtype=torch.bool), float("inf"))
    return (torch.logsumexp(torch.cat([-a[:, None], -b], 1), 1) + a).sum()


def gradient_rank(x, xt, W=None, rtol: float = 1e-9, detach_negatives: bool = False) -> dict:
    """Rank of ∂L/∂W (eq. 4, autograd, float64) for data x, x~ ((M+1) × d); W = I by default.

    rtol: singular values below rtol·σ_max count as zero; float64 autograd of O(1) sums is exact
    to ~1e-15 relative, so 1e-9 separates rounding zeros from structural nonzeros."""
    x = torch.as_tensor(np.asarray(x, float))
    xt = torch.as_tensor(np.asarray(xt, float))
    d = x.shape[1]
    W = torch.eye(d, dtype=torch.float64) if W is None else torch.as_tensor(np.asarray(W, float))
    W = W.clone().requires_grad_(True)
    (G,) = torch.autograd.grad(eq4_single_sum_loss(W, x, xt, detach_negatives), W)
    s = torch.linalg.svdvals(G)
    rank = int((s > rtol * s.max()).sum()) if s.max() > 0 else 0
    cov_t = int(torch.linalg.matrix_rank(((x - xt).T @ (x - xt))))
    xc = x - x.mean(0)
    cov_m = int(torch.linalg.matrix_rank(xc.T @ xc))
    return {"d": d, "M": x.shape[0] - 1, "grad_rank": rank, "singular_values": s.tolist(),
            "rank_cond_cov": cov_t, "rank_marg_cov": cov_m, "bound_2M_plus_1": min(d, 2 * (x.shape[0] - 1) + 1)}


# the minimal counterexample (hypothesis-shrunk, re-checked in tests/theory/test_rusak_algebra.py)
LEMMA6_COUNTEREXAMPLE = {"x": [[0, 0, 0], [0, 0, 1]], "xt": [[0, 1, 0], [1, 0, 0]]}  # d = 3, M = 1: rank 3


# ----------------------------------------------------------------------------- eq. 15
@lru_cache(maxsize=None)
def eq15_symbolic(d: int = 3, d_c: int = 1) -> bool:
    """Σ_x − Σ_x~ = A (Σ_z − Σ_z~) Aᵀ = A diag(σ_z²−σ_c²; σ_z²−σ_s²) Aᵀ, A = W_GT⁻¹ symbolic d×d."""
    A = _sym("a", d, d)
    sz, sc, ss = sp.symbols("sigma_z sigma_c sigma_s", positive=True)
    Sz = sz**2 * sp.eye(d)
    St = sp.diag(*([sc**2] * d_c + [ss**2] * (d - d_c)))
    Sx, Sxt = A * Sz * A.T, A * St * A.T
    target = A * sp.diag(*([sz**2 - sc**2] * d_c + [sz**2 - ss**2] * (d - d_c))) * A.T
    return sp.expand(Sx - Sxt - target) == sp.zeros(d, d)


def eq15_box_monte_carlo(d: int = 4, d_c: int = 1, sigma_s: float = 0.1, n: int = 400_000, seed: int = 0) -> dict:
    """Box DGP (truncated Gaussian style): Σ_x − E[(x−x~)(x−x~)ᵀ] vs A diag(σ_z² − σ_eff²) Aᵀ.

    σ_z² = 1/12 (uniform); σ_eff² = E[(z_k − z~_k)²] of the truncated conditional (estimated from
    the same draw); the nominal σ_s² overstates it near the box faces."""
    from sslverify.numerics.content_style import make_generator, sample_pairs
    g = make_generator(d, "linear", seed=seed)
    p = sample_pairs(n, d, d_c, "box", sigma_s=sigma_s, generator=g, seed=seed + 1)
    A = g.linear_matrix()
    dx = p.x - p.x_pos
    Sx = np.cov(p.x.T, bias=True)
    Sxt = dx.T @ dx / n
    dz = p.z - p.z_pos
    eff = (dz**2).mean(0)
    pred_eff = A @ np.diag(np.var(p.z, axis=0) - eff) @ A.T
    pred_nom = A @ np.diag([1 / 12 - 0.0] * d_c + [1 / 12 - sigma_s**2] * (d - d_c)) @ A.T
    lhs = Sx - Sxt
    rel = lambda P: float(np.linalg.norm(lhs - P) / np.linalg.norm(lhs))  # noqa: E731
    return {"rel_err_effective": rel(pred_eff), "rel_err_nominal": rel(pred_nom),
            "sigma_eff2_style": float(eff[d_c:].mean()), "sigma_s2_nominal": sigma_s**2,
            "min_eig_Sx_minus_Sxt": float(np.linalg.eigvalsh(lhs).min())}


# ----------------------------------------------------------------------------- exact brute force (second methods)
def exact_rank_int(M) -> int:
    """Rank of an integer (or rational) matrix by fraction-exact Gaussian elimination (no floating point)."""
    from fractions import Fraction

    rows = [[Fraction(v) for v in row] for row in np.asarray(M, dtype=object).tolist()]
    rank, ncols = 0, len(rows[0]) if rows else 0
    for c in range(ncols):
        piv = next((r for r in range(rank, len(rows)) if rows[r][c] != 0), None)
        if piv is None:
            continue
        rows[rank], rows[piv] = rows[piv], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][c] != 0:
                f = rows[r][c] / rows[rank][c]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[rank])]
        rank += 1
    return rank


def lemma2_brute_force(n_pairs: int = 300, seed: int = 0) -> dict:
    """Search for rank(AB) > min(rank A, rank B) over random low-rank integer matrices (exact ranks).

    Shapes m×n, n×k with m, n, k ∈ [1, 4], ranks prescribed by integer factors; returns the number of pairs
    tried and the first violation (None if there is none)."""
    rng = np.random.default_rng(seed)
    for t in range(n_pairs):
        m, n, k = (int(v) for v in rng.integers(1, 5, 3))
        ra, rb = int(rng.integers(0, min(m, n) + 1)), int(rng.integers(0, min(n, k) + 1))
        A = rng.integers(-2, 3, (m, ra)) @ rng.integers(-2, 3, (ra, n)) if ra else np.zeros((m, n), int)
        B = rng.integers(-2, 3, (n, rb)) @ rng.integers(-2, 3, (rb, k)) if rb else np.zeros((n, k), int)
        rab, r_a, r_b = exact_rank_int(A @ B), exact_rank_int(A), exact_rank_int(B)
        if rab > min(r_a, r_b):
            return {"pairs": t + 1, "violation": {"A": A.tolist(), "B": B.tolist(), "rank_AB": rab, "rank_A": r_a, "rank_B": r_b}}
    return {"pairs": n_pairs, "violation": None}


def det_int(M) -> int:
    """Exact determinant of a small integer matrix (fraction-free Bareiss)."""
    from fractions import Fraction

    a = [[Fraction(v) for v in row] for row in M]
    n, det = len(a), Fraction(1)
    for c in range(n):
        piv = next((r for r in range(c, n) if a[r][c] != 0), None)
        if piv is None:
            return 0
        if piv != c:
            a[c], a[piv] = a[piv], a[c]
            det = -det
        det *= a[c][c]
        for r in range(c + 1, n):
            f = a[r][c] / a[c][c]
            a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return int(det)


def lemma3_enumeration(values=(-1, 0, 1), max_n: int = 2) -> dict:
    """Every pair of n×n matrices (n ≤ max_n) with entries in ``values``: how often the source's lemma 3
    ('AB singular iff BOTH singular') and the corrected one ('iff EITHER') fail, by exact determinants."""
    lit, cor, total = 0, 0, 0
    first = None
    for n in range(1, max_n + 1):
        mats = [np.array(v).reshape(n, n) for v in itertools.product(values, repeat=n * n)]
        dets = [det_int(m.tolist()) for m in mats]
        for A, dA in zip(mats, dets):
            for B, dB in zip(mats, dets):
                total += 1
                sing_ab = det_int((A @ B).tolist()) == 0
                if sing_ab != (dA == 0 and dB == 0):
                    lit += 1
                    first = first or {"A": A.tolist(), "B": B.tolist()}
                cor += sing_ab != (dA == 0 or dB == 0)
    return {"pairs": total, "literal_fails": lit, "corrected_fails": cor, "first_literal_counterexample": first}


@lru_cache(maxsize=None)
def lemma6_exact_gradient_det() -> dict:
    """Second method for lemma 6's counterexample: ∂L/∂W of eq. 4 (one sum) by SymPy differentiation at W = I for
    LEMMA6_COUNTEREXAMPLE, exact (the exponentials stay symbolic), and its determinant evaluated to 50
    digits: nonzero ⇔ the gradient has full rank d = 3 although M + 1 = 2 < d."""
    x = sp.Matrix(LEMMA6_COUNTEREXAMPLE["x"])
    xt = sp.Matrix(LEMMA6_COUNTEREXAMPLE["xt"])
    n, d = x.shape
    W = sp.Matrix(d, d, lambda a, b: sp.Symbol(f"w{a}{b}", real=True))
    z = [W * x.row(i).T for i in range(n)]
    zt = [W * xt.row(i).T for i in range(n)]
    sq = lambda v: (v.T * v)[0, 0] / 2  # noqa: E731
    L = sum(sq(z[i] - zt[i]) + sp.log(sp.exp(-sq(z[i] - zt[i])) + sum(sp.exp(-sq(z[i] - z[j])) for j in range(n) if j != i))
            for i in range(n))
    at_I = {W[a, b]: int(a == b) for a in range(d) for b in range(d)}
    G = sp.Matrix(d, d, lambda a, b: sp.diff(L, W[a, b]).subs(at_I))
    det = sp.factor(sp.together(G.det(method="berkowitz")))
    value = float(sp.N(det, 50))
    # exact closed form: −e(1 + 5e^{1/2} + 3e^{3/2} + 7e)/(4(...positive...)): every term has one sign, so det ≠ 0
    return {"det": str(det), "det_50_digits": value, "abs_det": abs(value), "d": d, "M": n - 1}
