// Drives the official OpenAI and Anthropic Node SDKs (pinned in package.json) against the gateway.
// Usage: BRIDGEKEEPER_URL=http://127.0.0.1:8080 BRIDGEKEEPER_KEY=bk_... node sdk-smoke.mjs MODE [PROMPT]
// MODE: openai-chat | openai-chat-stream | openai-responses | openai-responses-stream
//       | anthropic-messages | anthropic-messages-stream | bedrock-messages | bedrock-messages-stream
//       (bedrock-…: the Anthropic SDK against the gateway's /bedrock provider, exactly as against /anthropic)
// Prints one JSON line: {"mode", "text", "usage"} where usage is what the SDK handed back (provider's field names).
// Extra request headers (e.g. x-mock-usage) come from BRIDGEKEEPER_HEADERS as a JSON object.
// With BRIDGEKEEPER_PROXY=http://me:bk_...@host:port instead of BRIDGEKEEPER_URL and BRIDGEKEEPER_KEY, the SDKs keep
// their own base URLs (api.openai.com, api.anthropic.com) and a placeholder key, and reach them through the gateway's
// forward proxy with an undici ProxyAgent (the SDKs ignore HTTPS_PROXY on Node 20); the CA comes from NODE_EXTRA_CA_CERTS.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ProxyAgent, fetch as undiciFetch } from 'undici';

const [mode, prompt = 'Say hello'] = process.argv.slice(2);
const proxy = process.env.BRIDGEKEEPER_PROXY;
const base = (process.env.BRIDGEKEEPER_URL ?? '').replace(/\/+$/, '');
const apiKey = proxy ? 'sk-placeholder-the-sdk-sends' : process.env.BRIDGEKEEPER_KEY;
if (!mode || (!proxy && (!base || !apiKey))) {
  console.error('usage: BRIDGEKEEPER_URL=... BRIDGEKEEPER_KEY=... (or BRIDGEKEEPER_PROXY=...) node sdk-smoke.mjs MODE [PROMPT]');
  process.exit(2);
}
const defaultHeaders = JSON.parse(process.env.BRIDGEKEEPER_HEADERS ?? '{}');
const viaProxy = proxy ? { fetch: undiciFetch, fetchOptions: { dispatcher: new ProxyAgent(proxy) } } : {};
const common = { apiKey, maxRetries: 0, timeout: 60_000, defaultHeaders, ...viaProxy };
const openai = () => new OpenAI({ ...common, baseURL: proxy ? 'https://api.openai.com/v1' : `${base}/openai/v1` });
const anthropic = (provider = 'anthropic') => new Anthropic({ ...common, baseURL: proxy ? 'https://api.anthropic.com' : `${base}/${provider}` });
const chatModel = 'gpt-4o-mini';
const responsesModel = 'gpt-5.5';
const anthropicModel = 'claude-sonnet-5-5';

const modes = {
  async 'openai-chat'() {
    const completion = await openai().chat.completions.create({
      model: chatModel,
      messages: [{ role: 'user', content: prompt }],
    });
    return { text: completion.choices[0].message.content, usage: completion.usage };
  },

  async 'openai-chat-stream'() {
    const stream = await openai().chat.completions.create({
      model: chatModel,
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      usage = chunk.usage ?? usage;
    }
    return { text, usage };
  },

  async 'openai-responses'() {
    const response = await openai().responses.create({ model: responsesModel, input: prompt });
    return { text: response.output_text, usage: response.usage };
  },

  async 'openai-responses-stream'() {
    const stream = await openai().responses.create({ model: responsesModel, input: prompt, stream: true });
    let text = '';
    let usage = null;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      else if (event.type === 'response.completed') usage = event.response.usage;
      else if (event.type === 'response.failed' || event.type === 'error') throw new Error(JSON.stringify(event));
    }
    return { text, usage };
  },

  'anthropic-messages': () => messages('anthropic'),
  'anthropic-messages-stream': () => messagesStream('anthropic'),
  'bedrock-messages': () => messages('bedrock'),
  'bedrock-messages-stream': () => messagesStream('bedrock'),
};

async function messages(provider) {
  const message = await anthropic(provider).messages.create({
    model: anthropicModel,
    max_tokens: 256,
    messages: [{ role: 'user', content: prompt }],
  });
  const text = message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
  return { text, usage: message.usage };
}

async function messagesStream(provider) {
  // The SDK's own accumulator: it throws on an event sequence it cannot assemble.
  const message = await anthropic(provider).messages.stream({
    model: anthropicModel,
    max_tokens: 256,
    messages: [{ role: 'user', content: prompt }],
  }).finalMessage();
  const text = message.content.filter((b) => b.type === 'text').map((b) => b.text).join('');
  return { text, usage: message.usage };
}

if (!(mode in modes)) {
  console.error(`unknown mode '${mode}'; one of: ${Object.keys(modes).join(', ')}`);
  process.exit(2);
}
try {
  const { text, usage } = await modes[mode]();
  console.log(JSON.stringify({ mode, text, usage }));
} catch (error) {
  console.error(`${mode} failed: ${error?.status ?? ''} ${error?.message ?? error}`);
  process.exit(1);
}
