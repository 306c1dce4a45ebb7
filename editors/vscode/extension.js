// Starts the amlgen language server (`amlgen lsp`, over stdio) for posture
// files. Highlighting comes from syntaxes/aml.tmLanguage.json and needs no
// code; everything else (diagnostics, hover, completion, definitions,
// references, formatting, code actions) comes from the server.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('amlgen').get('path') || 'amlgen';
  const run = { command, args: ['lsp'], transport: TransportKind.stdio };
  client = new LanguageClient(
    'amlgen',
    'amlgen',
    { run, debug: run },
    {
      documentSelector: [{ scheme: 'file', language: 'aml-posture' }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher('**/*.aml'),
      },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
