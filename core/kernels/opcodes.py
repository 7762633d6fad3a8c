"""Integer codes the kernels share: activation functions, losses, optimizers, run status.

Ops and the columns of the plan's tables are declared by name in core/ops/ (one schema per op).

Kept free of numba so the catalogue can be imported cheaply.
"""

# --- element-wise activation sub-codes ---------------------------------------------------------
ACT_LINEAR = 0
ACT_STEP = 1
ACT_SIGMOID = 2
ACT_TANH = 3
ACT_RELU = 4
ACT_LEAKY_RELU = 5
ACT_ELU = 6
ACT_SELU = 7
ACT_SWISH = 8
ACT_MISH = 9
ACT_SOFTPLUS = 10

# --- losses ------------------------------------------------------------------------------------
LOSS_MSE = 0
LOSS_MAE = 1
LOSS_HUBER = 2
LOSS_BCE = 3
LOSS_BCE_LOGITS = 4
LOSS_CCE = 5
LOSS_CCE_LOGITS = 6
LOSS_SPARSE_CCE = 7
LOSS_SPARSE_CCE_LOGITS = 8
LOSS_SOFTMAX_CCE = 9          # fused: tensor holds softmax output, gradient goes to its input
LOSS_SOFTMAX_SPARSE_CCE = 10

# --- optimizers --------------------------------------------------------------------------------
OPT_SGD = 0
OPT_ADAM = 1
OPT_RMSPROP = 2
OPT_ADAGRAD = 3

# --- run status ----------------------------------------------------------------------------------
STATUS_DONE = 0
STATUS_STOPPED = 1     # control[0] asked to stop or pause
STATUS_DIVERGED = 2
STATUS_BAD_ARGS = 3    # the arrays do not fit the arenas (nothing ran; Executor explains)
