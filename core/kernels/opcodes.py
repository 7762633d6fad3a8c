"""Integer codes of the compiled plan. Shared by core.plan (writer) and core.kernels.engine (reader).

Kept free of numba so the catalogue can be imported cheaply.
"""

# --- steps -------------------------------------------------------------------------------------
OP_INPUT = 0        # gather batch rows of X columns into a tensor
OP_DENSE = 1
OP_ACT = 2          # element-wise activation, sub-code in column ACT
OP_PRELU = 3
OP_RRELU = 4
OP_SOFTMAX = 5
OP_BATCHNORM = 6
OP_LAYERNORM = 7
OP_DROPOUT = 8
OP_ALPHADROPOUT = 9
OP_ADD = 10
OP_CONCAT = 11

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

# --- columns of the int op table ---------------------------------------------------------------
C_OP = 0          # opcode
C_IN_START = 1    # first row in the op-input table
C_IN_COUNT = 2    # number of inputs
C_OUT = 3         # output tensor
C_W = 4           # offset of the first weight in the parameter arena (-1 if none)
C_B = 5           # offset of the second weight (bias / beta / moving mean) (-1 if none)
C_AUX = 6         # offset in the auxiliary arena (masks, saved statistics) (-1 if none)
C_ACT = 7         # activation sub-code / flags
C_TRAIN_W = 8     # 1 when the weights are trainable (gradients computed)
C_SKIP_BWD = 9    # 1 when the loss already wrote the gradient of this op's input (fused softmax+CE)
C_W2 = 10         # third / fourth weight offsets (BatchNorm moving variance)
C_W3 = 11
N_OP_COLS = 12
C_BLAS = C_ACT     # Dense: 1 = products on multi-threaded BLAS (set by the executor's thread policy)

# --- columns of the float op table -------------------------------------------------------------
F_A = 0   # alpha / epsilon / rate / threshold / lower
F_B = 1   # momentum / upper
F_C = 2
N_OP_FCOLS = 3

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
