"""numerics.lastlayer.train_encoder_projector and content_style_train.forward: the speed-ups change no number.

* forward puts the bias inside the GEMM (``baddbmm``): the same values and gradients as bmm + bias, bit for bit;
* a batch with mixed projector flags runs the projector only on the runs that use it (index_select/index_copy):
  those runs end bit for bit where they end in a batch where every run uses it, the others where they end in a
  batch where none does (the K runs draw their minibatch rows from one generator as a (K, batch) tensor, so
  batches of the same K see the same rows), and the unused projectors stay at their initial values.
"""
from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sslverify.numerics.content_style_train import forward, init_mlp
from sslverify.numerics.lastlayer import train_encoder_projector


@settings(max_examples=25, deadline=None)
@given(K=st.integers(1, 5), N=st.integers(1, 40), d=st.integers(2, 12), depth=st.integers(1, 4),
       width=st.integers(2, 30), dtype=st.sampled_from([torch.float32, torch.float64]), seed=st.integers(0, 2**16))
def test_forward_bias_in_gemm_is_bmm_plus_bias(K, N, d, depth, width, dtype, seed):
    g = torch.Generator().manual_seed(seed)
    p = {k: v.to(dtype) for k, v in init_mlp(K, d, depth, seed, width=width).items()}
    for k in p:
        if k.startswith("b"):  # init_mlp's biases are 0: give them values, or the check would be vacuous
            p[k] = torch.randn(p[k].shape, generator=g, dtype=dtype)
        p[k].requires_grad_(True)
    x = torch.randn(K, N, d, generator=g, dtype=dtype)

    def reference(params, h):  # bmm, then + bias (what forward did before)
        for l in range(depth):
            h = torch.bmm(h, params[f"W{l}"].transpose(1, 2)) + params[f"b{l}"].unsqueeze(1)
            if l < depth - 1:
                h = torch.nn.functional.leaky_relu(h, 0.01)
        return h

    out, ref = forward(p, x), reference(p, x)
    assert torch.equal(out, ref)
    up = torch.randn(out.shape, generator=g, dtype=dtype)
    ga = torch.autograd.grad(out, list(p.values()), up)
    gb = torch.autograd.grad(ref, list(p.values()), up)
    assert all(torch.equal(a, b) for a, b in zip(ga, gb))


def _train(use):
    K, d, P = len(use), 4, 64
    g = torch.Generator().manual_seed(3)
    x = torch.randn(1, P, d, generator=g).expand(K, P, d).contiguous()  # one pool for every run: same data
    xt = x + 0.1 * torch.randn(1, P, d, generator=g).expand(K, P, d)
    rep = lambda p: {k: v.expand(K, *v.shape[1:]).contiguous() for k, v in p.items()}  # noqa: E731
    enc, proj = rep(init_mlp(1, d, 3, 5, width=6)), rep(init_mlp(1, d, 2, 6, width=6))
    tau = torch.full((d,), 0.5, dtype=torch.float64)
    return proj, train_encoder_projector(enc, proj, use, [0.0, 1.0, 1.0, 0.0], x, xt, tau, kind="cosine", steps=12,
                                         batch=16, lr=1e-2, seed=7, record_every=3)


def test_mixed_projector_flags_change_no_number():
    proj0, mixed = _train([True, False, True, False])
    _, on = _train([True] * 4)
    _, off = _train([False] * 4)
    for res, runs in ((on, [0, 2]), (off, [1, 3])):
        for k in res.encoder:
            assert torch.equal(mixed.encoder[k][runs], res.encoder[k][runs]), k
        assert torch.equal(torch.as_tensor(mixed.loss_history[:, runs]), torch.as_tensor(res.loss_history[:, runs]))
    for k in on.projector:
        assert torch.equal(mixed.projector[k][[0, 2]], on.projector[k][[0, 2]]), k
        start = proj0[k][[1, 3]].to(mixed.projector[k].dtype)  # the runs train in the pools' float32
        assert torch.equal(mixed.projector[k][[1, 3]], start), k  # no gradient: never moved
    assert not torch.equal(on.projector["W0"][[0, 2]], proj0["W0"][[0, 2]])  # ... while the used ones trained
