"""PyTorch mirror of `state-transition`'s training step, for the side-by-side throughput table (docs/BENCHMARKS.md).

The same network and step as Sources/Models/Sets/StateTransition{Network,Model}.swift with the MMD loss: cells of
G genes read on K fixed principal axes, an encoder MLP (K -> H -> H, LayerNorm + ReLU), the perturbation embedding
added, `blocks` pre-norm set-attention blocks (H heads-way attention across the S cells, a 2H feed-forward), a decoder
MLP (H -> H -> K) whose shift is mapped back to genes, and the energy MMD^2 of predicted vs observed sets on the K
axes; `sets` sets of S cells per Adam step. Data are random (throughput does not depend on the values).

Run with Debian's python3-torch (the same libtorch 1.13.1 that `perturb` links; /usr/bin/python3):
    /usr/bin/python3 scripts/bench/state_transition_torch.py --set-size 128 --threads 2
Prints one line: set size, steps, seconds, cells/s, peak RSS.
"""

import argparse
import resource
import time

import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, sizes, layer_norm=True):
        super().__init__()
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norms = nn.ModuleList(nn.LayerNorm(s) for s in sizes[1:-1]) if layer_norm else None

    def forward(self, x):
        for i, layer in enumerate(self.linears):
            x = layer(x)
            if i == len(self.linears) - 1:
                break
            if self.norms is not None:
                x = self.norms[i](x)
            x = torch.relu(x)
        return x


class SetAttentionBlock(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.attention_norm = nn.LayerNorm(hidden)
        self.feed_forward_norm = nn.LayerNorm(hidden)
        self.query, self.key, self.value, self.output = (nn.Linear(hidden, hidden) for _ in range(4))
        self.feed_forward = MLP([hidden, 2 * hidden, hidden], layer_norm=False)

    def forward(self, x):
        n, width = x.shape
        head = width // self.heads
        a = self.attention_norm(x)

        def split(t):
            return t.reshape(n, self.heads, head).transpose(0, 1)

        q, k, v = split(self.query(a)), split(self.key(a)), split(self.value(a))
        weights = torch.softmax(q @ k.transpose(1, 2) / head**0.5, dim=-1)
        merged = (weights @ v).transpose(0, 1).reshape(n, width)
        h = x + self.output(merged)
        return h + self.feed_forward(self.feed_forward_norm(h))


class StateTransition(nn.Module):
    def __init__(self, genes, components, members, hidden, blocks, heads):
        super().__init__()
        self.register_buffer("basis", torch.linalg.qr(torch.randn(genes, components))[0].T.contiguous())
        self.encoder = MLP([components, hidden, hidden])
        self.perturbation = nn.Parameter(torch.randn(members, hidden) * 0.1)
        self.blocks = nn.ModuleList(SetAttentionBlock(hidden, heads) for _ in range(blocks))
        self.decoder = MLP([hidden, hidden, components])

    def forward(self, controls, member):
        h = self.encoder(controls @ self.basis.T) + self.perturbation[member]
        for block in self.blocks:
            h = block(h)
        return controls + self.decoder(h) @ self.basis


def energy_mmd(x, y):
    def kernel(a, b):
        return -(torch.cdist(a, b).pow(2).clamp_min(0) + 1e-8).sqrt().mean()

    return kernel(x, x) + kernel(y, y) - 2 * kernel(x, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set-size", type=int, default=128)
    parser.add_argument("--sets", type=int, default=8)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--genes", type=int, default=600)
    parser.add_argument("--components", type=int, default=50)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--blocks", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    model = StateTransition(args.genes, args.components, args.members, args.hidden, args.blocks, args.heads)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    s = args.set_size
    pool = torch.rand(4096, args.genes) * 2
    basis = model.basis

    def step(i):
        g = torch.Generator().manual_seed(i)
        loss = 0.0
        for _ in range(args.sets):
            controls = pool[torch.randint(0, len(pool), (s,), generator=g)]
            target = pool[torch.randint(0, len(pool), (s,), generator=g)] + 0.1
            member = int(torch.randint(0, args.members, (1,), generator=g))
            predicted = model(controls, member)
            loss = loss + energy_mmd(predicted @ basis.T, target @ basis.T)
        loss = loss / args.sets
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    step(-1)  # warm-up, not timed
    start = time.perf_counter()
    for i in range(args.steps):
        step(i)
    seconds = time.perf_counter() - start
    cells = args.steps * args.sets * s
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"pytorch S={s} steps={args.steps} {seconds:.2f} s {cells / seconds:.0f} cells/s peak {rss:.0f} MiB")


if __name__ == "__main__":
    main()
