"""The report's numbers, in one place (Rieke 2016), quoted beside ours and never computed.

Each constant says where in the report it comes from. Settings the book takes from the
*original code* rather than the report's text are labelled as such in :data:`SETTINGS_ORIGIN`.
"""

#: The report's Table 2 (test accuracies; overall / Collagen / Plastic / Fibronectin).
REPORT_TABLE2 = {
    "A": {"overall": 0.85, "Collagen": 0.95, "Plastic": 0.96, "Fibronectin": 0.42},
    "B": {"overall": 0.94, "Collagen": 1.00, "Plastic": 0.94, "Fibronectin": 0.85},
    "C": {"overall": 0.95, "Collagen": 0.98, "Plastic": 0.94, "Fibronectin": 0.87},
    "D": {"overall": 0.95, "Collagen": 0.98, "Plastic": 0.97, "Fibronectin": 0.80},
}

#: Persistence and speed at 5-min sampling, read off the peaks of the report's Figure 10.
CALIBRATION_TARGETS = {
    "Collagen": {"persistence": -0.15, "speed": 0.55},
    "Plastic": {"persistence": 0.25, "speed": 0.33},
    "Fibronectin": {"persistence": 0.9, "speed": 0.6},
}

#: The report's Table 1: trajectories, positions per trajectory, sampling interval [min], dims.
REPORT_TABLE1 = {
    "Collagen": {"trajectories": 65, "positions": 577, "interval_min": 2.5, "dims": "3D"},
    "Plastic": {"trajectories": 177, "positions": 998, "interval_min": 1.0, "dims": "2D"},
    "Fibronectin": {"trajectories": 69, "positions": 998, "interval_min": 1.0, "dims": "2D"},
}

#: Where each setting the book calls "the report's" comes from: the report's text, or the
#: original code that accompanied it (not stated in the text).
SETTINGS_ORIGIN = {
    "classifier networks A-D (1x5, 1x10, 2x10, 3x30 LSTM units)": "report text",
    "RMSprop, learning rate 0.001": "report text",
    "class weights 1/N_i": "report text",
    "window length 30 steps at 5 min": "report text",
    "batch size 15, 100 epochs": "original code",
    "mixture density network: 1 LSTM layer x 10 units, M = 10 components": "report text",
    "bayesloop ScaledAR1, persistence and speed on a grid": "report text",
    "grid 200 x 200, persistence [-1, 1], speed [0, 1.5] µm/min": "original code",
    "Gaussian random walk sigma 0.03 on both parameters": "original code",
    "regime switch log10 p_min = -7": "original code",
}
