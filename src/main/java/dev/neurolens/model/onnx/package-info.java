/**
 * ONNX: {@link dev.neurolens.model.onnx.OnnxImporter} reads a BERT-family ONNX export with
 * protobuf-java (classes generated from {@code src/main/proto/onnx.proto}, a field-exact subset
 * of ONNX's schema) and maps its initializers to canonical weights; {@link
 * dev.neurolens.model.onnx.OrtReference} runs the same file in ONNX Runtime as an independent
 * reference; {@link dev.neurolens.model.onnx.ParityCheck} and {@link
 * dev.neurolens.model.onnx.ForwardBenchmark} compare the two for correctness and speed.
 */
package dev.neurolens.model.onnx;
