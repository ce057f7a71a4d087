"""Keras peer of Tailor's training benchmark (run by `npm run bench -- --peer`).

Trains Tailor's three presets -- the report CNN as published, the corrected one and Tailor best --
layer for layer, with the same optimizers, batch sizes and number of images, on real
Fashion-MNIST, and prints one JSON line per preset: {"preset", "threads", "batch", "images",
"ms", "img_per_s", "img_per_cpu_s"} (images per second of the process's CPU time, all
threads). The time is one epoch of `model.fit` over the images after a warm-up fit that
builds and traces the graph; the best of --repeats is kept.

    python3 scripts/peer/keras_bench.py --threads 2 --plan report:512:3072,report-fixed:128:3072,best:128:1024

Needs TensorFlow (`pip install tensorflow-cpu`).
"""

import argparse
import gzip
import json
import os
import sys
import time

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--data", default=DATA_DIR)
    p.add_argument("--plan", default="report:512:3072,report-fixed:128:3072,best:128:1024",
                   help="preset:batch:images, comma-separated")
    return p.parse_args()


def read_idx(path, header):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    return raw[header:]


def load_images(data_dir, count):
    import numpy as np
    images = np.frombuffer(read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"), 16), dtype=np.uint8)
    labels = np.frombuffer(read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"), 8), dtype=np.uint8)
    x = images[: count * 784].reshape(count, 28, 28, 1).astype("float32") / 255.0
    y = np.eye(10, dtype="float32")[labels[:count]]
    return x, y


def conv(keras, filters, padding="valid"):
    return keras.layers.Conv2D(filters, 3, padding=padding, activation="relu")


def build(keras, preset):
    """Tailor's presets (src-renderer/src/ml/presets.ts), layer for layer."""
    L = keras.layers
    if preset in ("report", "report-fixed"):
        layers = [conv(keras, 32), L.MaxPooling2D(2), conv(keras, 64), L.MaxPooling2D(2), conv(keras, 64),
                  L.Flatten(), L.Dense(64, activation="relu"),
                  L.Dense(10, activation="sigmoid" if preset == "report" else "softmax")]
    elif preset == "best":
        # Shift by up to 1 px and mirror, as Tailor's augmentation does on the device.
        layers = [L.RandomFlip("horizontal"), L.RandomTranslation(1 / 28, 1 / 28, fill_mode="constant", interpolation="nearest"),
                  conv(keras, 32, "same"), L.MaxPooling2D(2), L.BatchNormalization(),
                  conv(keras, 64, "same"), L.BatchNormalization(), conv(keras, 64, "same"), L.MaxPooling2D(2),
                  L.BatchNormalization(), L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"),
                  L.BatchNormalization(), L.Dropout(0.4), L.Dense(10, activation="softmax")]
    else:
        raise SystemExit(f"unknown preset {preset}")
    model = keras.Sequential([keras.Input((28, 28, 1)), *layers])
    if preset == "report":
        optimizer = keras.optimizers.RMSprop(1e-4, rho=0.9)
    else:
        optimizer = keras.optimizers.Adam(2e-3 if preset == "best" else 1e-3)
    loss = keras.losses.CategoricalCrossentropy(label_smoothing=0.1 if preset == "best" else 0.0)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def main():
    args = parse_args()
    # Thread counts must be fixed before TensorFlow starts its pools.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras = tf.keras
    plan = [(p, int(b), int(n)) for p, b, n in (item.split(":") for item in args.plan.split(","))]
    x, y = load_images(args.data, max(n for _, _, n in plan))
    for preset, batch, images in plan:
        model = build(keras, preset)
        # Warm-up: graph tracing and the first allocations are excluded, as on Tailor's side.
        model.fit(x[: batch * 2], y[: batch * 2], batch_size=batch, epochs=1, verbose=0, shuffle=True)
        best = best_cpu = float("inf")
        for _ in range(args.repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(x[:images], y[:images], batch_size=batch, epochs=1, verbose=0, shuffle=True)
            best = min(best, (time.perf_counter() - start) * 1000)
            best_cpu = min(best_cpu, (time.process_time() - start_cpu) * 1000)
        print(json.dumps({"preset": preset, "threads": args.threads, "batch": batch, "images": images,
                          "ms": round(best, 1), "img_per_s": round(images / best * 1000, 1),
                          "img_per_cpu_s": round(images / best_cpu * 1000, 1),
                          "tensorflow": tf.__version__, "keras": keras.__version__}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
