/**
 * The BERT/RoBERTa encoder family: {@link dev.neurolens.model.bert.BertEncoder} (post-layer-norm
 * blocks on DJL NDArrays with hook points) and {@link dev.neurolens.model.bert.BertCheckpoint}
 * (the mapping between checkpoint tensor names and canonical names, shape checks, export
 * names). RoBERTa differs only in its position ids (counting from padding_idx + 1) and a
 * one-row token-type table.
 */
package dev.neurolens.model.bert;
