package io.hivestream.connectors.agents.onnx;

import io.hivestream.operators.consensus.TextEmbedder;

/**
 * The embedder of semantic votes: all-MiniLM-L6-v2, through the TaskManager's shared {@link
 * MiniLmEmbedder}, loaded on the first semantic vote.
 */
public final class MiniLmTextEmbedder implements TextEmbedder {
    private static final long serialVersionUID = 1L;

    @Override
    public float[] embed(String text) {
        return MiniLmEmbedder.shared().embed(text);
    }
}
