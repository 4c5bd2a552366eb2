package dev.kindling.optim;

import dev.kindling.KindlingException;

/**
 * The learning rate for each 1-based step, the same step number the optimizer is given.
 * Shapes:
 * <ul>
 *   <li>constant: the base rate throughout;</li>
 *   <li>step decay: the base rate times gamma after every {@code stepSize} steps
 *       (PyTorch's StepLR);</li>
 *   <li>cosine: from the base rate down to a floor along half a cosine over the run's total
 *       steps (PyTorch's CosineAnnealingLR); the last step is still above the floor, so a floor
 *       of 0 never yields a zero rate within the run, and steps past the total stay at the
 *       floor.</li>
 * </ul>
 * Any shape may start with a linear warmup of W steps, rising to the base rate at step W; the
 * shape then runs as if training began at step W + 1 (a cosine still ends with the run, so it
 * spans the total less the warmup).
 *
 * <p>As a spec string: {@code constant}, {@code step:N:GAMMA} or {@code cosine[:FLOOR]},
 * optionally followed by {@code ,warmup:W}; for example {@code step:1000:0.5} or
 * {@code cosine:0.0001,warmup:500}. {@link #toString} gives the spec back.
 */
public final class LearningRateSchedule {
    private static final String FIELD = "learning rate schedule";
    private static final String GRAMMAR =
            "constant, step:N:GAMMA or cosine[:FLOOR], optionally followed by ,warmup:W";

    private enum Shape { CONSTANT, STEP, COSINE }

    private final Shape shape;
    private final float baseRate;
    private final long stepSize;
    private final float gamma;
    private final float floorRate;
    private final long totalSteps;
    private final long warmupSteps;

    private LearningRateSchedule(Shape shape, float baseRate, long stepSize, float gamma,
                                 float floorRate, long totalSteps, long warmupSteps) {
        this.shape = shape;
        this.baseRate = baseRate;
        this.stepSize = stepSize;
        this.gamma = gamma;
        this.floorRate = floorRate;
        this.totalSteps = totalSteps;
        this.warmupSteps = warmupSteps;
    }

    public static LearningRateSchedule constant(float baseRate) {
        Checks.positive("learning rate", baseRate);
        return new LearningRateSchedule(Shape.CONSTANT, baseRate, 0, 1f, 0f, 0, 0);
    }

    /** The base rate times {@code gamma} (in (0, 1]) after every {@code stepSize} steps. */
    public static LearningRateSchedule stepDecay(float baseRate, long stepSize, float gamma) {
        Checks.positive("learning rate", baseRate);
        if (stepSize < 1) {
            throw new KindlingException(FIELD + ": step size " + stepSize + " must be > 0");
        }
        if (!(gamma > 0f && gamma <= 1f)) {
            throw new KindlingException(FIELD + ": gamma " + gamma + " is out of range (0, 1]");
        }
        return new LearningRateSchedule(Shape.STEP, baseRate, stepSize, gamma, 0f, 0, 0);
    }

    /** From {@code baseRate} at step 1 towards {@code floorRate} (in [0, baseRate]). */
    public static LearningRateSchedule cosine(float baseRate, float floorRate, long totalSteps) {
        Checks.positive("learning rate", baseRate);
        if (!(floorRate >= 0f && floorRate <= baseRate)) {
            throw new KindlingException(FIELD + ": floor " + floorRate + " is out of range [0, "
                    + baseRate + "] (it may not exceed the base rate)");
        }
        if (totalSteps < 1) {
            throw new KindlingException(FIELD + ": cosine needs the run's total steps, got "
                    + totalSteps);
        }
        return new LearningRateSchedule(Shape.COSINE, baseRate, 0, 1f, floorRate, totalSteps, 0);
    }

    /** This schedule behind a linear warmup of {@code warmupSteps} (> 0) steps. */
    public LearningRateSchedule withWarmup(long warmupSteps) {
        if (warmupSteps < 1) {
            throw new KindlingException(FIELD + ": warmup " + warmupSteps + " must be > 0");
        }
        if (shape == Shape.COSINE && warmupSteps >= totalSteps) {
            throw new KindlingException(FIELD + ": warmup " + warmupSteps
                    + " must be shorter than the run's " + totalSteps + " total steps");
        }
        return new LearningRateSchedule(shape, baseRate, stepSize, gamma, floorRate, totalSteps,
                warmupSteps);
    }

    /**
     * Reads a spec string (see the class comment).
     *
     * @param totalSteps the run's total number of steps; only a cosine reads it, so a trainer
     *                   that does not know it yet may pass 0 for the other shapes
     */
    public static LearningRateSchedule parse(String spec, float baseRate, long totalSteps) {
        if (spec == null || spec.isBlank()) {
            throw new KindlingException(FIELD + ": missing value (expected " + GRAMMAR + ")");
        }
        String[] parts = spec.trim().split(",", -1);
        if (parts.length > 2) {
            throw new KindlingException(FIELD + ": \"" + spec + "\" has more than one modifier"
                    + " (expected " + GRAMMAR + ")");
        }
        String[] shape = parts[0].trim().split(":", -1);
        LearningRateSchedule schedule;
        switch (shape[0]) {
            case "constant":
                arity(spec, shape, 1, 1);
                schedule = constant(baseRate);
                break;
            case "step":
                arity(spec, shape, 3, 3);
                schedule = stepDecay(baseRate, wholeNumber(spec, "step size", shape[1]),
                        number(spec, "gamma", shape[2]));
                break;
            case "cosine":
                arity(spec, shape, 1, 2);
                float floor = shape.length == 2 ? number(spec, "floor", shape[1]) : 0f;
                schedule = cosine(baseRate, floor, totalSteps);
                break;
            default:
                throw new KindlingException(FIELD + ": unknown value \"" + spec + "\" (expected "
                        + GRAMMAR + ")");
        }
        if (parts.length == 2) {
            String[] warmup = parts[1].trim().split(":", -1);
            if (!warmup[0].equals("warmup") || warmup.length != 2) {
                throw new KindlingException(FIELD + ": unknown modifier \"" + parts[1].trim()
                        + "\" in \"" + spec + "\" (expected warmup:W)");
            }
            schedule = schedule.withWarmup(wholeNumber(spec, "warmup", warmup[1]));
        }
        return schedule;
    }

    /** The rate for the 1-based {@code step}. */
    public float rate(long step) {
        if (step < 1) {
            throw new IllegalArgumentException(FIELD + ": step " + step + " must be >= 1");
        }
        if (step <= warmupSteps) {
            return (float) ((double) baseRate * step / warmupSteps);
        }
        long t = step - warmupSteps - 1;
        switch (shape) {
            case STEP:
                return (float) (baseRate * Math.pow(gamma, t / stepSize));
            case COSINE:
                double progress = Math.min(1.0, (double) t / (totalSteps - warmupSteps));
                return (float) (floorRate
                        + (baseRate - floorRate) * 0.5 * (1.0 + Math.cos(Math.PI * progress)));
            default:
                return baseRate;
        }
    }

    public float baseRate() {
        return baseRate;
    }

    /** The spec string this schedule parses from (with its base rate and total given apart). */
    @Override
    public String toString() {
        String spec;
        switch (shape) {
            case STEP:
                spec = "step:" + stepSize + ":" + gamma;
                break;
            case COSINE:
                spec = "cosine:" + floorRate;
                break;
            default:
                spec = "constant";
        }
        return warmupSteps > 0 ? spec + ",warmup:" + warmupSteps : spec;
    }

    private static void arity(String spec, String[] parts, int min, int max) {
        if (parts.length < min || parts.length > max) {
            throw new KindlingException(FIELD + ": \"" + spec + "\" has " + (parts.length - 1)
                    + " argument(s) for " + parts[0] + " (expected " + GRAMMAR + ")");
        }
    }

    private static long wholeNumber(String spec, String field, String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new KindlingException(FIELD + ": " + field + " \"" + text + "\" in \"" + spec
                    + "\" is not a whole number");
        }
    }

    private static float number(String spec, String field, String text) {
        try {
            return Float.parseFloat(text.trim());
        } catch (NumberFormatException e) {
            throw new KindlingException(FIELD + ": " + field + " \"" + text + "\" in \"" + spec
                    + "\" is not a number");
        }
    }
}
