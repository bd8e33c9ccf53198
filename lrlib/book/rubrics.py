"""The points of the book's exercises: per difficulty for the autograded ones, and the rubric
(criteria and points) of every open exercise, graded by hand.

Read by the instructors' page (:mod:`lrlib.book.exercises`) and by the grader
(:mod:`lrlib.book.grading`), so both show the same points.
"""

__all__ = ["POINTS", "RUBRICS", "rubric_points"]


#: Points per checker of an exercise, by difficulty (an open exercise: its rubric's total).
POINTS = {"easy": 1, "medium": 2, "hard": 0, None: 1}

#: The rubric of every open (hard) exercise: (criterion, points). Graded by hand in
#: nbgrader's formgrader; shown on the instructors' page.
RUBRICS = {
    "intro-ex-open": [
        ("finds the range of fixed rates that converge on the bowl and end in the wide "
         "minimum, with the runs that show it", 2),
        ("gives the noise floor across that range, from the formula or the widget", 1),
        ("designs a schedule that ends in the wide minimum with a floor below 0.01 within "
         "400 steps, and shows both", 2),
    ],
    "convergence-ex-open": [
        ("a sequence of rates that reaches the thousandfold shrink in fewer than 35 steps, "
         "measured", 2),
        ("explains it with what a step at 1/λ does to each direction", 1),
        ("tests its fragility (steep curvature 11 instead of 10) and says what breaks", 1),
        ("argues what carries over to many curvatures spread over a range", 1),
    ],
    "local-minima-ex-open": [
        ("a fair budget (same epochs or same steps), chosen and justified before running", 1),
        ("sharpness compared at the end and at equal training loss, three seeds each", 2),
        ("test accuracy compared with the spread over seeds", 1),
        ("the wider network tried, and the conclusion stated with its limits", 1),
    ],
    "step-decay-ex-moved-drop": [
        ("trains seed 0 with a single halving at step 43 and at step 258, and computes each "
         "one's paired loss ratio to constant 1.0 over the epoch after the drop and over the "
         "last epoch", 2),
        ("answers from the last-epoch ratios (neither drop ends ahead), with the numbers", 1),
        ("explains why: the early drop helps for an epoch, then costs; the loss is limited "
         "by progress, so the later the drop the less it costs; tries another seed", 2),
    ],
    "step-decay-ex-open": [
        ("searches the placements of two drops by 10 on the noisy bowl (430 steps)", 2),
        ("compares the best pair with the ResNet placement and with ×0.7 every 25 steps", 1),
        ("explains what decides whether drops by 10 work (noise floor, time to settle)", 2),
    ],
    "exponential-decay-ex-open": [
        ("final fractions from 10% to 0.01% for both budgets, with the best constant rate", 2),
        ("says whether 'decay to 1%' stays best for the longer run", 1),
        ("explains why, from the noise floor and the budget", 2),
    ],
    "annealing-ex-metropolis": [
        ("a correct Metropolis walk (proposal, acceptance, 300 walkers, 1,000 steps)", 2),
        ("compares constant, quench and slow cooling from T = 0.5, with the shares", 2),
        ("says which method uses the gradient and which does not", 1),
    ],
    "cyclical-ex-momentum": [
        ("a callback that sets the momentum at the start of every batch", 1),
        ("a one-weight test computed by hand that shows whether it changes training", 2),
        ("a way that makes it work (e.g. a variable the compiled step reads), shown", 2),
    ],
    "unknown-budget-ex-open": [
        ("runs WSD on the digits with cooldowns of 10%, 20% and 50% of the budget at the "
         "chapter's selected peak, 10 paired seeds each (or fewer, said so)", 2),
        ("reports each one's paired difference against cosine with its 95% interval, and "
         "says 'beats' only where the interval excludes 0", 2),
        ("says what the cooldown's length costs when the budget is extended, from "
         "compute_steps", 1),
    ],
    "warmup-ex-open": [
        ("the shortest warmup that trains all three seeds at peak 5 and at peak 3", 2),
        ("says whether the warmup needed grows with the peak, with the evidence", 1),
        ("tries a warmup before a constant peak and compares with the cosine", 2),
    ],
    "range-ex-open": [
        ("runs the Adam range test on the deeper network and reports the three suggestions", 1),
        ("trains five epochs at the valley suggestion and at ten times the steepest", 2),
        ("says which rule to trust for this network, and why", 2),
    ],
    "choosing-ex-equal-area": [
        ("pairs cosine from 2η with constant η on MNIST-1D: paired validation difference with "
         "its interval, and both training losses", 2),
        ("says where cosine gains at equal area and where not, and why (the noise floor)", 1),
        ("designs a sweep at exactly equal mean rate, and how to run it", 2),
    ],
}


def rubric_points(label):
    """The points of an open exercise: its rubric's total (0 without a rubric)."""
    return sum(points for _, points in RUBRICS.get(label, ()))
