#!/usr/bin/env node
// Writes the real-size request of bench/run.sh's "real-size requests" section: a Claude Code session in the
// OpenAI chat shape (the bench's gateway route): a long system prompt, 12 tools with schemas, 40 turns of assistant
// text with a tool call and tool results, about 150 KB in all.
//
//   node big-body.js --out FILE [--stream]
'use strict';
const fs = require('fs');

const out = process.argv[process.argv.indexOf('--out') + 1];
const stream = process.argv.includes('--stream');
const line = '    var result = await reader.ReadAsync("input", cancellationToken); // line\n';
const filler = (bytes) => line.repeat(Math.ceil(bytes / line.length));

const messages = [
  { role: 'system', content: 'You are Claude Code, Anthropic\'s official CLI for Claude.\n' + filler(9000) },
  { role: 'user', content: [{ type: 'text', text: '<system-reminder>Context: ' + filler(1500) + '</system-reminder>' }, { type: 'text', text: 'Please look at the failing tests.' }] },
];
for (let turn = 0; turn < 40; turn++) {
  const id = `call_${String(turn).padStart(4, '0')}`;
  messages.push({
    role: 'assistant',
    content: `Step ${turn}: I will read the next file. ` + filler(200),
    tool_calls: [{ id, type: 'function', function: { name: 'Read', arguments: JSON.stringify({ file_path: `/work/src/File${turn}.cs`, limit: 400 }) } }],
  });
  messages.push({ role: 'tool', tool_call_id: id, content: filler(2500) });
}
messages.push({ role: 'user', content: [{ type: 'text', text: '<system-reminder>Todo list is empty.</system-reminder>' }, { type: 'text', text: 'Now run the whole suite.' }] });
const tools = ['Bash', 'Read', 'Edit', 'Write', 'Glob', 'Grep', 'Task', 'TodoWrite', 'WebFetch', 'WebSearch', 'NotebookEdit', 'BashOutput']
  .map((name) => ({
    type: 'function',
    function: {
      name,
      description: `${name}: ` + filler(900),
      parameters: {
        type: 'object',
        properties: { command: { type: 'string', description: 'The command to run' }, timeout: { type: 'number', description: 'Optional timeout in milliseconds' } },
        required: ['command'],
        additionalProperties: false,
      },
    },
  }));
const body = { model: 'gpt-4o-mini', max_tokens: 32000, ...(stream ? { stream: true } : {}), messages, tools };
fs.writeFileSync(out, JSON.stringify(body));
