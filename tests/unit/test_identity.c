/* test_identity.c - table-driven tests of canonical model ids
 * (src/identity.c): provider spellings from the brief and from real
 * captures, distinct models kept apart, the alias file and hostile ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "normalize/identity.h"
#include "tap.h"

struct id_case {
	const char *in;
	const char *id;
	const char *variant; /* "" = none */
	const char *region;  /* "" = none */
};

/* The brief: every spelling of Llama 3.2 1B Instruct and 3.1 405B Instruct. */
static const struct id_case brief_cases[] = {
	{ "meta-llama/Llama-3.2-1B-Instruct", "llama-3.2-1b-instruct", "", "" },
	{ "meta-llama/llama-3.2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	{ "accounts/fireworks/models/llama-v3p2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	{ "fireworks_ai/accounts/fireworks/models/llama-v3p2-1b-instruct", "llama-3.2-1b-instruct",
	  "", "" },
	{ "meta.llama3-2-1b-instruct-v1:0", "llama-3.2-1b-instruct", "", "" },
	{ "us.meta.llama3-2-1b-instruct-v1:0", "llama-3.2-1b-instruct", "", "us" },
	{ "eu.meta.llama3-2-1b-instruct-v1:0", "llama-3.2-1b-instruct", "", "eu" },
	{ "bedrock/ap-south-1/meta.llama3-2-1b-instruct-v1:0", "llama-3.2-1b-instruct", "",
	  "ap-south-1" },
	{ "llama-3.2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	{ "Llama 3.2 1B Instruct", "llama-3.2-1b-instruct", "", "" },
	{ "watsonx/meta-llama/llama-3-2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	{ "@cf/meta/llama-3.2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	{ "meta/llama-3.2-1b-instruct-maas", "llama-3.2-1b-instruct", "", "" },
	{ "Meta-Llama-3.2-1B-Instruct", "llama-3.2-1b-instruct", "", "" },
	{ "meta-llama/Meta-Llama-3.1-405B-Instruct", "llama-3.1-405b-instruct", "", "" },
	{ "meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo", "llama-3.1-405b-instruct", "turbo", "" },
	{ "DeepInfra | meta-llama/llama-3.1-405b-instruct", "llama-3.1-405b-instruct", "", "" },
	{ "A | B | meta-llama/llama-3.2-1b-instruct:free", "llama-3.2-1b-instruct", "free", "" },
	{ "accounts/fireworks/models/llama-v3p1-405b-instruct", "llama-3.1-405b-instruct", "", "" },
	{ "meta.llama3-1-405b-instruct-v1:0", "llama-3.1-405b-instruct", "", "" },
	{ "Llama 3.1 405B Instruct", "llama-3.1-405b-instruct", "", "" },
	{ "meta-llama-3.1-405b-instruct", "llama-3.1-405b-instruct", "", "" },
	{ "llama-3.1-405b-instruct-maas", "llama-3.1-405b-instruct", "", "" },
	{ "meta-llama/llama-3.1-405b-instruct:free", "llama-3.1-405b-instruct", "free", "" },
	{ "qwen2.5-72b-instruct", "qwen-2.5-72b-instruct", "", "" },
	{ "qwen-2.5-72b-instruct", "qwen-2.5-72b-instruct", "", "" },
};

/* Real ids and display names from the captures in the shared corpus
 * (LiteLLM's price list, pydantic/genai-prices, models.dev, OpenRouter). */
static const struct id_case corpus_cases[] = {
	/* LiteLLM sample and its Llama entries */
	{ "fireworks_ai/accounts/fireworks/models/llama-v3p1-405b-instruct",
	  "llama-3.1-405b-instruct", "", "" },
	{ "together_ai/meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo", "llama-3.1-405b-instruct",
	  "turbo", "" },
	{ "vertex_ai/meta/llama-3.1-405b-instruct-maas", "llama-3.1-405b-instruct", "", "" },
	{ "sambanova/Meta-Llama-3.1-405B-Instruct", "llama-3.1-405b-instruct", "", "" },
	{ "sambanova/Meta-Llama-3.2-1B-Instruct", "llama-3.2-1b-instruct", "", "" },
	{ "azure_ai/Meta-Llama-3.1-405B-Instruct", "llama-3.1-405b-instruct", "", "" },
	{ "deepinfra/meta-llama/Meta-Llama-3.1-405B-Instruct", "llama-3.1-405b-instruct", "", "" },
	{ "databricks/databricks-meta-llama-3-1-405b-instruct", "llama-3.1-405b-instruct", "", "" },
	{ "us.meta.llama3-1-405b-instruct-v1:0", "llama-3.1-405b-instruct", "", "us" },
	{ "bedrock/ap-south-1/meta.llama3-70b-instruct-v1:0", "llama-3-70b-instruct", "",
	  "ap-south-1" },
	{ "anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3.5-sonnet-20240620", "", "" },
	{ "dashscope/qwen-flash", "qwen-flash", "", "" },
	{ "gemini/gemini-1.5-flash", "gemini-1.5-flash", "", "" },
	{ "gpt-5.6", "gpt-5.6", "", "" },
	{ "snowflake/snowflake-llama-3.1-405b", "snowflake-llama-3.1-405b", "", "" },
	{ "groq/llama-3.2-1b-preview", "llama-3.2-1b-preview", "", "" },
	{ "vertex_ai/meta/llama3-405b-instruct-maas", "llama-3-405b-instruct", "", "" },
	/* pydantic/genai-prices: Fireworks ids and their display names */
	{ "accounts/fireworks/models/llama-v3p1-8b-instruct", "llama-3.1-8b-instruct", "", "" },
	{ "Llama 3.1 8B Instruct", "llama-3.1-8b-instruct", "", "" },
	{ "accounts/fireworks/models/qwen2p5-vl-72b-instruct", "qwen-2.5-vl-72b-instruct", "", "" },
	{ "Qwen2.5-VL 72B Instruct", "qwen-2.5-vl-72b-instruct", "", "" },
	{ "accounts/fireworks/models/glm-4p7", "glm-4.7", "", "" },
	{ "GLM-4.7", "glm-4.7", "", "" },
	{ "accounts/fireworks/models/kimi-k2p5", "kimi-k2.5", "", "" },
	{ "Kimi K2.5", "kimi-k2.5", "", "" },
	{ "accounts/fireworks/models/minimax-m2p1", "minimax-m2.1", "", "" },
	{ "MiniMax-M2.1", "minimax-m2.1", "", "" },
	{ "accounts/fireworks/models/deepseek-v3p2", "deepseek-v3.2", "", "" },
	{ "Deepseek V3.2", "deepseek-v3.2", "", "" },
	{ "accounts/fireworks/models/qwen3-235b-a22b", "qwen-3-235b-a22b", "", "" },
	{ "Qwen3 235B-A22B", "qwen-3-235b-a22b", "", "" },
	{ "accounts/fireworks/models/qwen3p6-plus", "qwen-3.6-plus", "", "" },
	{ "Qwen3.6 Plus", "qwen-3.6-plus", "", "" },
	{ "accounts/fireworks/routers/glm-5p1-fast", "glm-5.1-fast", "", "" },
	{ "GLM 5.1 Fast", "glm-5.1-fast", "", "" },
	{ "accounts/fireworks/models/llama4-maverick-instruct-basic",
	  "llama-4-maverick-instruct-basic", "", "" },
	{ "Llama 4 Maverick Instruct (Basic)", "llama-4-maverick-instruct-basic", "", "" },
	{ "accounts/fireworks/models/gemma-3-27b-it", "gemma-3-27b-it", "", "" },
	/* pydantic/genai-prices: Together */
	{ "meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b-instruct", "turbo", "" },
	{ "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "llama-3.1-8b-instruct", "turbo", "" },
	{ "meta-llama/Meta-Llama-3-70B-Instruct-Lite", "llama-3-70b-instruct-lite", "", "" },
	{ "meta-llama/Llama-2-13b-chat-hf", "llama-2-13b-chat", "", "" },
	{ "meta-llama/Llama-3-70b-chat-hf", "llama-3-70b-chat", "", "" },
	{ "codellama/CodeLlama-13b-Instruct-hf", "codellama-13b-instruct", "", "" },
	{ "Qwen/Qwen1.5-72B", "qwen-1.5-72b", "", "" },
	{ "mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b-instruct-v0.1", "", "" },
	{ "NousResearch/Nous-Capybara-7B-V1p9", "nous-capybara-7b-v1.9", "", "" },
	{ "teknium/OpenHermes-2p5-Mistral-7B", "openhermes-2.5-mistral-7b", "", "" },
	{ "google/gemma-7b-it", "gemma-7b-it", "", "" },
	/* models.dev: file paths and names */
	{ "amazon-bedrock/meta.llama3-1-405b-instruct-v1:0", "llama-3.1-405b-instruct", "", "" },
	{ "azure/meta-llama-3.1-405b-instruct", "llama-3.1-405b-instruct", "", "" },
	{ "nebius/meta-llama/llama-3_1-405b-instruct", "llama-3.1-405b-instruct", "", "" },
	{ "Llama-3.1-405B-Instruct", "llama-3.1-405b-instruct", "", "" },
	{ "openrouter/meta-llama/llama-3.2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	/* OpenRouter: ids, names and Hugging Face ids */
	{ "Meta: Llama 3.2 1B Instruct", "llama-3.2-1b-instruct", "", "" },
	{ "meta-llama/llama-3.1-8b-instruct", "llama-3.1-8b-instruct", "", "" },
	{ "Meta: Llama 3.1 8B Instruct", "llama-3.1-8b-instruct", "", "" },
	{ "meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3.1-8b-instruct", "", "" },
	{ "google/gemini-3.7-flash:batch", "gemini-3.7-flash", "batch", "" },
	{ "Google: Gemini 3.7 Flash (batch)", "gemini-3.7-flash", "batch", "" },
	{ "z-ai/glm-4.5", "glm-4.5", "", "" },
	{ "Z.ai: GLM 4.5", "glm-4.5", "", "" },
	{ "zai-org/GLM-4.5", "glm-4.5", "", "" },
	{ "dots-studio/dots-3-note-preview:free", "dots-3-note-preview", "free", "" },
	{ "~deepseek/deepseek-v4-flash-latest", "deepseek-v4-flash-latest", "", "" },
	{ "bytedance-seed/seed-2.0-code", "seed-2.0-code", "", "" },
	{ "anthropic/claude-sonnet-4.5:batch", "claude-sonnet-4.5", "batch", "" },
	{ "Anthropic: Claude Opus 4.8 (batch)", "claude-opus-4.8", "batch", "" },
	{ "Claude Opus 4.8 (Fast)", "claude-opus-4.8-fast", "", "" },
	{ "mistralai/mistral-medium-3-5", "mistral-medium-3.5", "", "" },
	{ "Mistral: Mistral Medium 3.5", "mistral-medium-3.5", "", "" },
	{ "qwen/qwen-plus-2025-07-28:thinking", "qwen-plus-2025-07-28", "thinking", "" },
	/* LiteLLM's full price list: Bedrock, Vertex, Cloudflare, Ollama ... */
	{ "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3.5-sonnet-20241022-v2", "", "" },
	{ "anthropic.claude-v2:1", "claude-v2.1", "", "" },
	{ "anthropic.claude-instant-v1", "claude-instant-v1", "", "" },
	{ "anthropic.claude-haiku-4-5@20251001", "claude-haiku-4.5-20251001", "", "" },
	{ "claude-haiku-4-5-20251001", "claude-haiku-4.5-20251001", "", "" },
	{ "bedrock/us-gov-east-1/claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4.5-20250929", "",
	  "us-gov-east-1" },
	{ "global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4.5-20250929", "",
	  "global" },
	{ "apac.anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku-20240307", "", "apac" },
	{ "azure_ai/claude-sonnet-4-5", "claude-sonnet-4.5", "", "" },
	{ "databricks/databricks-claude-3-7-sonnet", "claude-3.7-sonnet", "", "" },
	{ "mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0.2", "", "" },
	{ "bedrock/eu-west-3/mistral.mixtral-8x7b-instruct-v0:1", "mixtral-8x7b-instruct-v0.1", "",
	  "eu-west-3" },
	{ "mistral.mistral-large-2402-v1:0", "mistral-large-2402", "", "" },
	{ "mistral/mistral-medium-3-1-2508", "mistral-medium-3.1-2508", "", "" },
	{ "amazon.titan-embed-text-v2:0", "titan-embed-text-v2", "", "" },
	{ "amazon.titan-text-express-v1", "titan-text-express-v1", "", "" },
	{ "bedrock/us-east-1/moonshotai.kimi-k2.5", "kimi-k2.5", "", "us-east-1" },
	{ "qwen.qwen3-coder-30b-a3b-v1:0", "qwen-3-coder-30b-a3b", "", "" },
	{ "google.gemma-3-27b-it", "gemma-3-27b-it", "", "" },
	{ "ai21.jamba-1-5-large-v1:0", "jamba-1.5-large", "", "" },
	{ "together_ai/Qwen/Qwen2.5-72B-Instruct-Turbo", "qwen-2.5-72b-instruct", "turbo", "" },
	{ "deepinfra/Qwen/Qwen3-Coder-480B-A35B-Instruct-Turbo", "qwen-3-coder-480b-a35b-instruct",
	  "turbo", "" },
	{ "cloudflare/@cf/meta/llama-3.2-1b-instruct", "llama-3.2-1b-instruct", "", "" },
	{ "cloudflare/@cf/meta/llama-guard-3-8b", "llama-guard-3-8b", "", "" },
	{ "sambanova/Meta-Llama-Guard-3-8B", "llama-guard-3-8b", "", "" },
	{ "nvidia_nim/nvidia/llama-3_2-nv-rerankqa-1b-v2", "llama-3.2-nv-rerankqa-1b-v2", "", "" },
	{ "azure_ai/Phi-3.5-mini-instruct", "phi-3.5-mini-instruct", "", "" },
	{ "groq/gemma-7b-it", "gemma-7b-it", "", "" },
	{ "ollama/llama3:70b", "llama-3-70b", "", "" },
	{ "ollama/qwen3-coder:480b-cloud", "qwen-3-coder-480b-cloud", "", "" },
	{ "glm-4-7-251222", "glm-4.7-251222", "", "" },
	{ "azure/eu/gpt-4o-2024-08-06", "gpt-4o-2024-08-06", "", "eu" },
	{ "cerebras/llama3.1-8b", "llama-3.1-8b", "", "" },
	{ "databricks/databricks-gemini-2-5-flash", "gemini-2.5-flash", "", "" },
	{ "databricks/databricks-gpt-5-1", "gpt-5.1", "", "" },
	{ "Cohere: Command R+ (08-2024)", "command-r-plus-08-2024", "", "" },
	{ "oci/cohere.command-r-plus-08-2024", "command-r-plus-08-2024", "", "" },
	/* a Vertex resource name carries its region */
	{ "projects/p1/locations/us-central1/publishers/meta/models/llama-3.1-405b-instruct-maas",
	  "llama-3.1-405b-instruct", "", "us-central1" },
};

/* Different models must stay different: the two columns never match. */
static const char *const distinct_pairs[][2] = {
	{ "llama-3.2-1b", "llama-3.2-1b-instruct" },
	{ "meta-llama/Llama-3.2-1B", "meta-llama/Llama-3.2-1B-Instruct" },
	{ "llama-3.1-8b-instruct", "llama-3.1-70b-instruct" },
	{ "meta.llama3-8b-instruct-v1:0", "meta.llama3-1-8b-instruct-v1:0" },
	{ "meta.llama3-70b-instruct-v1:0", "meta.llama3-3-70b-instruct-v1:0" },
	{ "llama-3-8b", "llama-3.8b" },
	{ "meta-llama/Llama-2-7b-chat-hf", "meta-llama/Llama-2-13b-chat-hf" },
	{ "gpt-4-turbo", "gpt-4" },
	{ "gpt-3.5-turbo", "gpt-3.5" },
	{ "qwen-turbo", "qwen" },
	{ "mistral.mistral-7b-instruct-v0:2", "mistralai/Mistral-7B-Instruct-v0.1" },
	{ "anthropic.claude-v2:1", "anthropic.claude-v2" },
	{ "amazon.titan-embed-text-v2:0", "amazon.titan-embed-text-v1" },
	{ "claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022" },
	{ "claude-3-5-sonnet", "claude-3-sonnet" },
	{ "snowflake/snowflake-llama-3.1-405b", "meta-llama/Llama-3.1-405B" },
	{ "meta-llama/Llama-Guard-3-8B", "meta-llama/Meta-Llama-3-8B" },
	{ "meta-llama/Meta-Llama-3-70B-Instruct-Lite", "meta-llama/Meta-Llama-3-70B-Instruct" },
	{ "qwen/qwen-2.5-72b-instruct", "qwen/qwen2.5-vl-72b-instruct" },
	{ "deepseek.r1-v1:0", "deepseek.v3-v1:0" },
	{ "anthropic/claude-opus-4.8-fast", "anthropic/claude-opus-4.8" },
	{ "google/gemma-2-9b-it", "google/gemma-2-2b-it" },
	{ "qwen/qwen3-vl-8b-instruct", "qwen/qwen3-vl-8b-thinking" },
	{ "z-ai/glm-5-turbo", "z-ai/glm-5" },
	{ "llama-2-7b", "llama-2.7b" },
	{ "Cohere: Command R+", "Cohere: Command R" },
	{ "gpt-4-0613", "gpt-4.0613" },
};

/* With conf/aliases.conf loaded. */
static const struct id_case alias_cases[] = {
	{ "vertex_ai/meta/llama3-405b-instruct-maas", "llama-3.1-405b-instruct", "", "" },
	{ "groq/llama-3.2-1b-preview", "llama-3.2-1b-instruct", "", "" },
	{ "groq/llama-3.1-405b-reasoning", "llama-3.1-405b-instruct", "", "" },
	{ "together_ai/meta-llama/Llama-3-70b-chat-hf", "llama-3-70b-instruct", "", "" },
	{ "accounts/fireworks/models/llama4-maverick-instruct-basic",
	  "llama-4-maverick-17b-128e-instruct", "", "" },
	{ "meta.llama4-maverick-17b-instruct-v1:0", "llama-4-maverick-17b-128e-instruct", "", "" },
	{ "meta-llama/llama-4-maverick", "llama-4-maverick-17b-128e-instruct", "", "" },
	{ "meta-llama/Llama-4-Maverick-17B-128E-Instruct", "llama-4-maverick-17b-128e-instruct", "",
	  "" },
	{ "eu.anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3.5-sonnet-20241022", "", "eu" },
	{ "claude-3-5-sonnet-20241022", "claude-3.5-sonnet-20241022", "", "" },
	{ "us.anthropic.claude-opus-4-6-v1", "claude-opus-4.6", "", "us" },
	{ "replicate/anthropic/claude-4.5-sonnet", "claude-sonnet-4.5", "", "" },
	{ "claude-4-opus-20250514", "claude-opus-4-20250514", "", "" },
	{ "azure/gpt-35-turbo", "gpt-3.5-turbo", "", "" },
	{ "lambda_ai/qwen25-coder-32b-instruct", "qwen-2.5-coder-32b-instruct", "", "" },
	/* an alias keeps the variant and region split off by the rules */
	{ "bedrock/us-west-2/meta.llama4-scout-17b-instruct-v1:0", "llama-4-scout-17b-16e-instruct",
	  "", "us-west-2" },
	{ "meta-llama/llama-4-scout:free", "llama-4-scout-17b-16e-instruct", "free", "" },
	/* ids no alias names pass through */
	{ "meta-llama/Llama-3.2-1B-Instruct", "llama-3.2-1b-instruct", "", "" },
};

/* Hostile or broken ids: each must fail with the reason given (a
 * substring), or, with reason NULL, give the harmless id. */
struct hostile_case {
	const char *in;
	const char *reason; /* NULL = success */
	const char *id;     /* the id on success */
};

static const struct hostile_case hostile_cases[] = {
	{ "", "is empty", NULL },
	{ "   \t ", "is empty", NULL },
	{ ":free", "is empty once normalized", NULL },
	{ "meta-llama/", "is empty once normalized", NULL },
	{ "~", "is empty once normalized", NULL },
	{ "(free)", "is empty once normalized", NULL },
	{ "llama\"3", "contains '\"', which is not allowed", NULL },
	{ "llama'3", "contains ''', which is not allowed", NULL },
	{ "llama-3; DROP TABLE models; --", "contains ';'", NULL },
	{ "'; DROP TABLE models; --", "contains '''", NULL },
	{ "$1", "contains '$'", NULL },
	{ "llama-$1-8b", "contains '$'", NULL },
	{ "llama\\3.2", "contains '\\'", NULL },
	{ "C:\\models\\llama", "contains '\\'", NULL },
	{ "%s%n%x", "contains '%'", NULL },
	{ "<script>alert(1)</script>", "contains '<'", NULL },
	{ "llama`id`", "contains '`'", NULL },
	{ "a~b", "contains '~'", NULL },
	{ "\xe2\x80\xaellama-3.2-1b-instruct", "U+202E, a bidirectional control character", NULL },
	{ "llama-3.2-1b-\xe2\x80\xaetcurtsni", "U+202E, a bidirectional control character", NULL },
	{ "llama\xe2\x81\xa6-3", "U+2066, a bidirectional control character", NULL },
	{ "llama\xe2\x80\x8b-3", "U+200B, an invisible character", NULL },
	{ "\xef\xbb\xbfllama", "U+FEFF, an invisible character", NULL },
	{ "llama-3\xc3\xa9", "U+00E9; model ids are ASCII", NULL },
	{ "\xff\xfe", "is not valid UTF-8", NULL },
	{ "llama\xc0\xaf", "is not valid UTF-8", NULL },
	{ "llama\xed\xa0\x80", "is not valid UTF-8", NULL },
	{ "llama\x01-3", "control character 0x01", NULL },
	{ "llama\x7f", "control character 0x7F", NULL },
	/* harmless ids: only [a-z0-9.-] ever comes out */
	{ "../../etc/passwd", NULL, "passwd" },
	{ "llama 3.2\n1b\tinstruct", NULL, "llama-3.2-1b-instruct" },
	{ "\xc2\xa0Llama\xe2\x80\xaf"
	  "3.2 1B\xe2\x80\x91Instruct ",
	  NULL, "llama-3.2-1b-instruct" },
	{ "...llama--3.2..1b__instruct..", NULL, "llama-3.2-1b-instruct" },
	{ "meta.meta.llama3-8b-instruct-v1:0", NULL, "llama-3-8b-instruct" },
};

static struct identity *ids; /* with conf/aliases.conf */
static char tmpdir[] = "/tmp/llmref-test-identity.XXXXXX";

/* One TAP line for a case: id, variant and region all as expected. */
static void
check_case(const struct identity *id, const struct id_case *c, const char *table)
{
	struct model_ref r;
	char why[256] = "";
	int rc = identity_resolve(id, c->in, &r, why, sizeof(why));
	int ok = rc == 0 && strcmp(r.id, c->id) == 0 && strcmp(r.variant, c->variant) == 0 &&
		 strcmp(r.region, c->region) == 0;

	tap_ok(ok, "%s: '%s' -> %s", table, c->in, c->id);
	if (!ok)
		printf("#   got: rc %d id '%s' variant '%s' region '%s' (%s)\n#   want: id '%s' "
		       "variant '%s' region '%s'\n",
		       rc, r.id, r.variant, r.region, why, c->id, c->variant, c->region);
}

/* A canonical id resolves to itself with no variant or region. */
static void
check_fixed_point(const char *canon)
{
	struct id_case c = { canon, canon, "", "" };

	check_case(NULL, &c, "fixed point");
}

static void
test_table(const struct identity *id, const struct id_case *cases, size_t n, const char *table)
{
	size_t i;

	for (i = 0; i < n; i++) {
		check_case(id, &cases[i], table);
		check_fixed_point(cases[i].id);
	}
}

static void
test_distinct(void)
{
	struct model_ref a, b;
	char why[256];
	size_t i;
	int ok;

	for (i = 0; i < sizeof(distinct_pairs) / sizeof(distinct_pairs[0]); i++) {
		ok = identity_resolve(ids, distinct_pairs[i][0], &a, why, sizeof(why)) == 0 &&
		     identity_resolve(ids, distinct_pairs[i][1], &b, why, sizeof(why)) == 0 &&
		     strcmp(a.id, b.id) != 0;
		tap_ok(ok, "distinct: '%s' (%s) != '%s' (%s)", distinct_pairs[i][0], a.id,
		       distinct_pairs[i][1], b.id);
	}
}

/* A reason must be printable ASCII: no bidi mark or control reaches logs. */
static int
printable_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void
test_hostile(void)
{
	const struct hostile_case *c;
	struct model_ref r;
	char why[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(hostile_cases) / sizeof(hostile_cases[0]); i++) {
		c = &hostile_cases[i];
		why[0] = '\0';
		rc = identity_resolve(ids, c->in, &r, why, sizeof(why));
		if (c->reason != NULL)
			tap_ok(rc == -1 && strstr(why, c->reason) != NULL && r.id[0] == '\0' &&
				   printable_ascii(why),
			       "hostile #%zu fails: %s", i, why);
		else
			tap_ok(rc == 0 && strcmp(r.id, c->id) == 0, "hostile #%zu gives '%s' (%s)",
			       i, r.id, c->id);
	}
}

static void
test_limits(void)
{
	char big[IDENTITY_INPUT_MAX_BYTES + 2], why[256], tiny[8];
	struct model_ref r;

	tap_ok(identity_resolve(ids, NULL, &r, why, sizeof(why)) == -1 &&
		   strstr(why, "missing (NULL)") != NULL && r.id[0] == '\0',
	       "NULL id: %s", why);
	tap_ok(identity_resolve(ids, "llama", NULL, why, sizeof(why)) == -1, "NULL ref fails");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	tap_ok(identity_resolve(ids, big, &r, why, sizeof(why)) == -1 &&
		   strstr(why, "longer than 512 bytes") != NULL,
	       "513-byte id: %s", why);
	big[IDENTITY_INPUT_MAX_BYTES] = '\0';
	tap_ok(identity_resolve(ids, big, &r, why, sizeof(why)) == -1 &&
		   strstr(why, "longer than 127 bytes once normalized") != NULL,
	       "512-byte id: %s", why);
	memset(big, 'b', 200);
	memcpy(big, "accounts/x/models/", 18);
	big[200] = '\0';
	tap_ok(identity_resolve(ids, big, &r, why, sizeof(why)) == -1 &&
		   strstr(why, "longer than 127 bytes once normalized") != NULL,
	       "182-byte model segment: %s", why);
	big[18 + 127] = '\0';
	tap_ok(identity_resolve(ids, big, &r, why, sizeof(why)) == 0 && strlen(r.id) == 127,
	       "127-byte model segment fits");
	memset(big, '+', IDENTITY_INPUT_MAX_BYTES);
	big[IDENTITY_INPUT_MAX_BYTES] = '\0';
	tap_ok(identity_resolve(ids, big, &r, why, sizeof(why)) == -1 &&
		   strstr(why, "is too long") != NULL,
	       "512 '+' (each becomes \"plus\"): %s", why);
	tap_ok(identity_resolve(ids, "x:a-very-long-variant-name-that-does-not-fit", &r, why,
				sizeof(why)) == -1 &&
		   strstr(why, "variant longer than 31 bytes") != NULL,
	       "long variant: %s", why);
	tap_ok(identity_resolve(ids, "$1", &r, NULL, 0) == -1, "why may be NULL");
	tap_ok(identity_resolve(ids, "$1", &r, tiny, sizeof(tiny)) == -1 && strlen(tiny) == 7,
	       "why is cut to its size");
}

/* ---- the alias file ---------------------------------------------------- */

struct alias_case {
	const char *text;
	const char *err; /* expected substring of the error, NULL = success */
};

static const struct alias_case alias_file_cases[] = {
	{ "", NULL },
	{ "; comment\n# comment\n[aliases]\n; more\nllama-3-405b-instruct = "
	  "llama-3.1-405b-instruct ; inline comment\n\n",
	  NULL },
	{ "[aliases]\r\nfoo-x = bar-y\r\n", NULL },
	{ "[aliases] ; heading comment\nfoo-x = bar-y\n", NULL },
	{ "[aliases]\na-1 = b-1\nc-1 = b-1\na-1 = d-1\n",
	  "aliases.conf:4: spelling 'a-1' is listed twice (first on line 2)" },
	{ "[aliases]\nfoo = Not Canonical\n",
	  "aliases.conf:2: target 'Not Canonical' is not a canonical id: the rules turn it into "
	  "'not-canonical'" },
	{ "[aliases]\nfoo = bar;baz\n",
	  "aliases.conf:2: target 'bar;baz' is not a canonical id: it contains ';'" },
	{ "[aliases]\nfoo = llama-3.1-405b-instruct-turbo\n",
	  "aliases.conf:2: target 'llama-3.1-405b-instruct-turbo' is not a canonical id: the rules "
	  "turn it into 'llama-3.1-405b-instruct' with variant 'turbo'" },
	{ "[aliases]\nfoo = meta-llama/llama-3\n",
	  "aliases.conf:2: target 'meta-llama/llama-3' is not a canonical id" },
	{ "[aliases]\nfoo =\n", "aliases.conf:2: target '' is not a canonical id: it is empty" },
	{ "[aliases]\nfoo = \xe2\x80\xae"
	  "bar\n",
	  "aliases.conf:2: target '?bar' is not a canonical id: it contains U+202E" },
	{ "[aliases]\nLlama-3-405B-Instruct = llama-3.1-405b-instruct\n",
	  "aliases.conf:2: spelling 'Llama-3-405B-Instruct' is not rule output: the rules turn it "
	  "into 'llama-3-405b-instruct'; write that" },
	{ "[aliases]\nus.meta.llama3-x = llama-3-x\n",
	  "aliases.conf:2: spelling 'us.meta.llama3-x' is not rule output: the rules turn it into "
	  "'llama-3-x' in region 'us'" },
	{ "[aliases]\nllama-v3p2-1b = llama-3.2-1b\n",
	  "aliases.conf:2: alias 'llama-v3p2-1b' is not needed: the rules already turn it into "
	  "'llama-3.2-1b'" },
	{ "[aliases]\nfoo-1 = foo-1\n", "aliases.conf:2: alias 'foo-1' is not needed" },
	{ "[aliases]\n$1 = foo\n", "aliases.conf:2: spelling '$1' contains '$'" },
	{ "foo = bar\n", "aliases.conf:1: 'foo' is outside the [aliases] section" },
	{ "[aliases]\nfoo = bar\n[models]\nx = y\n",
	  "aliases.conf:3: unknown section [models]; aliases go under [aliases]" },
	{ "[aliases]\njust some words\n", "aliases.conf:2: syntax error" },
	{ "[aliases\nfoo = bar\n", "aliases.conf:1: syntax error" },
	{ "[aliases]\nfoo = bar\n  baz = qux\n",
	  "aliases.conf:3: line starts with white space (continuation lines are not allowed" },
	{ "[aliases]\na-1 = b-1\nb-1 = c-1\n",
	  "aliases.conf:2: target 'b-1' is itself an alias spelling (line 3); point at 'c-1' "
	  "instead" },
	{ "[aliases]\nx = y\nbad\nfoo = Bar\n", "aliases.conf:3: syntax error" },
};

static char *
write_file(const char *name, const char *text, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	return path;
}

static void
check_load(const char *text, size_t len, const char *want, const char *what)
{
	struct identity *id = identity_new();
	struct lr_err err;
	enum lr_code rc;
	char *path = write_file("aliases.conf", text, len);

	lr_err_clear(&err);
	rc = identity_load_aliases(id, path, &err);
	if (want == NULL)
		tap_ok(rc == LR_OK, "alias file %s loads (%s)", what, err.reason);
	else
		tap_ok(rc == LR_ERR_CONFIG && strstr(err.reason, want) != NULL, "alias file %s: %s",
		       what, err.reason);
	identity_free(id);
	unlink(path);
}

static void
test_alias_files(void)
{
	char what[32];
	size_t i;

	for (i = 0; i < sizeof(alias_file_cases) / sizeof(alias_file_cases[0]); i++) {
		snprintf(what, sizeof(what), "#%zu", i);
		check_load(alias_file_cases[i].text, strlen(alias_file_cases[i].text),
			   alias_file_cases[i].err, what);
	}
	check_load("[aliases]\nfoo\0 = bar\n", 21, "aliases.conf: contains a NUL byte", "NUL");
}

/* A file of n aliases "kN=t", one per line after "[aliases]" (under 1 MiB). */
static char *
make_many(size_t n, size_t *len)
{
	char *s = malloc(16 + n * 12);
	size_t i, k = 0;

	if (s == NULL)
		exit(99);
	k += (size_t)snprintf(s, 16, "[aliases]\n");
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(s + k, 13, "k%zu=t\n", i);
	*len = k;
	return s;
}

static void
test_alias_limits(void)
{
	char line[300], *text;
	size_t len;

	memset(line, 'a', sizeof(line));
	memcpy(line, "[aliases]\n", 10);
	memcpy(line + 250, " = b\n", 6);
	check_load(line, strlen(line), "aliases.conf:2: line longer than 198 characters",
		   "long line");
	text = make_many(IDENTITY_ALIAS_MAX_ENTRIES, &len);
	check_load(text, len, NULL, "of 100000 aliases");
	free(text);
	text = make_many(IDENTITY_ALIAS_MAX_ENTRIES + 1, &len);
	check_load(text, len, "aliases.conf:100002: more than 100000 aliases", "of 100001");
	free(text);
	text = malloc(IDENTITY_ALIAS_FILE_MAX_BYTES + 2);
	if (text == NULL)
		exit(99);
	memset(text, '\n', IDENTITY_ALIAS_FILE_MAX_BYTES + 1);
	check_load(text, IDENTITY_ALIAS_FILE_MAX_BYTES + 1, "aliases.conf: larger than 1 MiB",
		   "over 1 MiB");
	free(text);
}

/* A failed load keeps the aliases loaded before; a good one replaces them. */
static void
test_alias_reload(void)
{
	static const char good[] = "[aliases]\nfoo-x = bar-y\n";
	static const char bad[] = "[aliases]\nbaz-x = qux-y\nbad line\n";
	struct identity *id = identity_new();
	struct model_ref r;
	struct lr_err err;
	char why[256];

	tap_ok(identity_load_aliases(id, write_file("a.conf", good, strlen(good)), &err) == LR_OK,
	       "reload: first file loads");
	tap_ok(identity_load_aliases(id, write_file("a.conf", bad, strlen(bad)), &err) ==
		       LR_ERR_CONFIG &&
		   identity_alias_count(id) == 1,
	       "reload: a bad file keeps the old aliases (%s)", err.reason);
	tap_ok(identity_resolve(id, "Foo X", &r, why, sizeof(why)) == 0 &&
		   strcmp(r.id, "bar-y") == 0,
	       "reload: old alias still applies");
	tap_ok(identity_load_aliases(id, write_file("a.conf", "", 0), &err) == LR_OK &&
		   identity_alias_count(id) == 0,
	       "reload: an empty file clears them");
	tap_ok(identity_load_aliases(id, "/nonexistent/aliases.conf", &err) == LR_ERR_CONFIG &&
		   strstr(err.reason, "/nonexistent/aliases.conf: No such file") != NULL,
	       "missing file: %s", err.reason);
	tap_ok(identity_load_aliases(NULL, "x", &err) == LR_ERR_INTERNAL, "NULL resolver");
	unlink(write_file("a.conf", "", 0));
	identity_free(id);
	identity_free(NULL);
}

int
main(void)
{
	const char *srcdir = getenv("LLMREF_SRCDIR");
	char path[512];
	struct lr_err err;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(path, sizeof(path), "%s/conf/aliases.conf", srcdir != NULL ? srcdir : ".");
	ids = identity_new();
	tap_ok(ids != NULL && identity_load_aliases(ids, path, &err) == LR_OK &&
		   identity_alias_count(ids) > 0,
	       "shipped %s loads", path);
	test_table(NULL, brief_cases, sizeof(brief_cases) / sizeof(brief_cases[0]), "brief");
	test_table(NULL, corpus_cases, sizeof(corpus_cases) / sizeof(corpus_cases[0]), "corpus");
	test_table(ids, alias_cases, sizeof(alias_cases) / sizeof(alias_cases[0]), "alias");
	test_distinct();
	test_hostile();
	test_limits();
	test_alias_files();
	test_alias_limits();
	test_alias_reload();
	identity_free(ids);
	rmdir(tmpdir);
	return tap_done();
}
