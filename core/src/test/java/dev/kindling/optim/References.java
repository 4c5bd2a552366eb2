package dev.kindling.optim;

/**
 * Each optimizer's formula written the plain way, in double, from the textbook
 * (deep-learning-from-scratch common/optimizer.py) or PyTorch where the class says it follows
 * PyTorch. The float implementations are checked against these.
 */
final class References {
    private References() {
    }

    /** One optimizer's update over double arrays, keeping its own state. */
    interface Reference {
        void update(double[] p, double[] g, long t, double lr);
    }

    static Reference of(String name, int n, int[] weightRanges) {
        switch (name) {
            case "sgd":
                return (p, g, t, lr) -> {
                    for (int i = 0; i < n; i++) {
                        p[i] -= lr * g[i];
                    }
                };
            case "momentum": {
                double momentum = 0.9;
                double[] v = new double[n];
                return (p, g, t, lr) -> {
                    for (int i = 0; i < n; i++) {
                        v[i] = momentum * v[i] - lr * g[i];
                        p[i] += v[i];
                    }
                };
            }
            case "nesterov": {
                // The textbook's order: parameters from the old velocity, then the velocity.
                double momentum = 0.9;
                double[] v = new double[n];
                return (p, g, t, lr) -> {
                    for (int i = 0; i < n; i++) {
                        p[i] += momentum * momentum * v[i];
                        p[i] -= (1 + momentum) * lr * g[i];
                        v[i] *= momentum;
                        v[i] -= lr * g[i];
                    }
                };
            }
            case "adagrad": {
                double[] h = new double[n];
                return (p, g, t, lr) -> {
                    for (int i = 0; i < n; i++) {
                        h[i] += g[i] * g[i];
                        p[i] -= lr * g[i] / (Math.sqrt(h[i]) + 1e-7);
                    }
                };
            }
            case "rmsprop": {
                double decayRate = 0.99;
                double[] h = new double[n];
                return (p, g, t, lr) -> {
                    for (int i = 0; i < n; i++) {
                        h[i] *= decayRate;
                        h[i] += (1 - decayRate) * g[i] * g[i];
                        p[i] -= lr * g[i] / (Math.sqrt(h[i]) + 1e-7);
                    }
                };
            }
            case "adam":
                return adam(n, null, 0.0);
            case "adamw":
                return adam(n, weightRanges, 0.01);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** PyTorch's Adam / AdamW algorithm box, with decay only inside the weight ranges. */
    private static Reference adam(int n, int[] weightRanges, double weightDecay) {
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double[] m = new double[n];
        double[] v = new double[n];
        boolean[] decays = new boolean[n];
        if (weightRanges != null) {
            for (int r = 0; r < weightRanges.length; r += 2) {
                for (int i = weightRanges[r]; i < weightRanges[r] + weightRanges[r + 1]; i++) {
                    decays[i] = true;
                }
            }
        }
        return (p, g, t, lr) -> {
            for (int i = 0; i < n; i++) {
                if (decays[i]) {
                    p[i] = p[i] - lr * weightDecay * p[i];
                }
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.pow(beta1, t));
                double vHat = v[i] / (1 - Math.pow(beta2, t));
                p[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
        };
    }
}
