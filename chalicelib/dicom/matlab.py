"""A decoded frame as the Octave/MATLAB expression of Orthanc 1.10.1's ``/matlab`` routes.

Orthanc writes a grey frame as ``double([ a b ; c d ])``: the rows separated by ``; ``, each
value followed by a space and printed as a C++ ``double`` is with 17 significant digits
(integers as such, ``0.10000000149011612`` for a float 0.1). An RGB frame is written as its
bytes in storage order (R, G, B of each pixel, row after row, no row separator) reshaped and
permuted: ``double(permute(reshape([ ... ], [ 3 H W ]), [ 3 2 1 ]))``, with the frame's
height, then its width, as Orthanc writes them. The client ``eval``s the text.

numpy is only used through the array handed in (no import here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def _number(value: float) -> str:
    """A value as ``boost::lexical_cast<std::string>(double)`` prints it (``%.17g``)."""
    return format(value, ".17g")


def matlab_text(array: np.ndarray) -> str:
    """``array`` is a frame as ``pixels.decode_frame`` gives it: (rows, columns) grey
    values, or (rows, columns, 3) 8-bit RGB."""
    if array.ndim == 3:
        rows, columns = array.shape[:2]
        samples = " ".join(str(v) for v in array.reshape(-1).tolist())
        return f"double(permute(reshape([ {samples} ], [ 3 {rows} {columns} ]), [ 3 2 1 ]))"
    values = array.astype("float64").tolist()
    body = " ; ".join(" ".join(_number(v) for v in row) for row in values)
    return f"double([ {body} ])"
