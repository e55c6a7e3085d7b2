package dev.neurolens.model.bert;

import ai.djl.ndarray.NDArray;

/**
 * The parameters of one post-layer-norm encoder block (HF layout: Linear weights are (out, in)).
 * The query, key and value projections are fused into one (3D, D) matrix for one GEMM.
 */
record LayerParams(
    NDArray qkvWeight, // (3D, D)
    NDArray qkvBias, // (3D)
    NDArray attnOutWeight, // (D, D)
    NDArray attnOutBias,
    NDArray ln1Weight,
    NDArray ln1Bias,
    NDArray ffnInWeight, // (M, D)
    NDArray ffnInBias,
    NDArray ffnOutWeight, // (D, M)
    NDArray ffnOutBias,
    NDArray ln2Weight,
    NDArray ln2Bias) {}
