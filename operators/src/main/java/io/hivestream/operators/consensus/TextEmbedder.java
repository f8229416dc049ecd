package io.hivestream.operators.consensus;

import java.io.Serializable;

/**
 * Turns a text into a vector whose cosine similarity to another text's vector says how alike their
 * meanings are. The semantic vote uses it; implementations must be deterministic, return vectors of
 * one length, and may return a zero vector for text they cannot embed.
 */
@FunctionalInterface
public interface TextEmbedder extends Serializable {
    float[] embed(String text);
}
