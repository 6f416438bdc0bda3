"""DPM chart layout: edge crossings and drawing time, the kit's hand-placed columns against
maintained layout libraries (issue 14, item 4).

Run with ``python bench/bench_diagrams.py``. Prints, for the `surrey` and
`targets_vs_learning` models, the whole chart and focus mode (every variable with a role
as the focus, one and two steps out):

- **kit**: ``dk.dpm.chart`` — three role columns ordered by barycentre sweeps, arrows routed
  as curves and lanes; crossings counted on the drawn paths (``dk.dpm.crossings``), and
  also on straight centre-to-centre lines, to compare like with like;
- **grandalf 0.8** ``SugiyamaLayout`` (layered, crossing reduction), straight lines;
- **networkx** ``multipartite_layout`` with the role columns as layers (no ordering),
  straight lines.

The libraries are optional here (neither is a dependency of the kit): install them into
any folder and put it on ``PYTHONPATH`` (``pip install --target /tmp/layoutlibs grandalf==0.8
networkx``). A missing library is reported and skipped. Measurements, not tests; medians.
"""

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # run from a checkout without installing

import dpmkit as dk  # noqa: E402

COL = {"policy_lever": 0, "strategic_resource": 1, "performance_driver": 2, "end_result": 3}


def median_ms(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3, out


def straight(pos, links):
    """A Diagram-like object with straight centre-to-centre arrows, for dk.dpm.crossings."""
    edges = [{"source": a, "target": b, "points": [pos[a], pos[b]]} for a, b in links if a in pos and b in pos]
    return dk.dpm.Diagram("", "", [], edges)


def kit(model, **kw):
    d = dk.dpm.chart(model, **kw)
    return d


def kit_counts(d):
    centre = {n["name"]: (n["x"] + n["w"] / 2, n["y"] + n["h"] / 2) for n in d.nodes}
    links = [(e["source"], e["target"]) for e in d.edges]
    return len(d.nodes), dk.dpm.crossings(d), dk.dpm.crossings(straight(centre, links)), links, d


def grandalf_layout(names, links, size):
    from grandalf.graphs import Edge, Graph, Vertex
    from grandalf.layouts import SugiyamaLayout

    class View:
        w, h = size

    vs = {n: Vertex(n) for n in names}
    for v in vs.values():
        v.view = View()
    g = Graph(list(vs.values()), [Edge(vs[a], vs[b]) for a, b in links if a != b])
    for comp in g.C:
        sug = SugiyamaLayout(comp)
        sug.init_all()
        sug.draw()
    return {n: tuple(v.view.xy) for n, v in vs.items()}


def networkx_layout(names, links, roles):
    import networkx as nx

    g = nx.DiGraph()
    for n in names:
        g.add_node(n, layer=COL[roles[n]])
    g.add_edges_from(links)
    pos = nx.multipartite_layout(g, subset_key="layer", scale=1000)
    return {n: (float(p[0]), float(p[1])) for n, p in pos.items()}


def main():
    libs = {}
    for lib in ("grandalf", "networkx"):
        try:
            __import__(lib)
            libs[lib] = True
        except ModuleNotFoundError:
            libs[lib] = False
            print(f"NOTE: {lib} is not installed; skipping it (pip install --target DIR {lib})")
    print(f"{'model / chart':<44} {'boxes':>5} {'arrows':>6} {'kit drawn':>9} {'kit str.':>8} "
          f"{'grandalf':>8} {'nx':>5} {'kit ms':>7} {'gf ms':>7}")
    for name in ("surrey", "targets_vs_learning"):
        model = dk.models.load(name)
        roles = dk.dpm.structure(model)["roles"]
        s = dk.dpm.structure(model)
        focuses = [n for c in s["columns"].values() for n in c]
        cases = [("whole chart", {}), ("whole chart, levers in a bar", {"levers": "bar"})]
        cases += [(f"focus, {k} step{'s' if k > 1 else ''} (worst of {len(focuses)})", {"steps": k}) for k in (1, 2)]
        for label, kw in cases:
            runs = [dict(kw, focus=f) for f in focuses] if "steps" in kw else [kw]
            rows = []
            for one in runs:
                ms, d = median_ms(lambda one=one, model=model: kit(model, **one), repeat=3)
                boxes, drawn, str_kit, links, d = kit_counts(d)
                names = [n["name"] for n in d.nodes if n["name"] in roles]
                gf = nx_ = gf_ms = None
                if libs["grandalf"]:
                    gf_ms, pos = median_ms(lambda names=names, links=links: grandalf_layout(names, links, (210, 60)),
                                           repeat=3)
                    gf = dk.dpm.crossings(straight(pos, links))
                if libs["networkx"]:
                    nx_ = dk.dpm.crossings(straight(networkx_layout(names, links, roles), links))
                rows.append((boxes, len(d.edges), drawn, str_kit, gf, nx_, ms, gf_ms))
            worst = max(rows, key=lambda r: (r[2], r[0]))
            if len(rows) > 1:
                mean = [statistics.mean(r[i] for r in rows if r[i] is not None) if any(
                    r[i] is not None for r in rows) else None for i in range(8)]
            else:
                mean = None

            def fmt(row):
                return "".join(f"{'-' if v is None else (f'{v:.1f}' if isinstance(v, float) else v):>{w}} "
                               for v, w in zip(row, (5, 6, 9, 8, 8, 5, 7, 7)))
            print(f"{name + ': ' + label:<44} {fmt(worst)}")
            if mean:
                print(f"{'   mean over focuses':<44} {fmt(mean)}")


if __name__ == "__main__":
    main()
