// Starts `wharf lsp` (the binary in the `wharf.path` setting, default
// `wharf` on PATH) for .wharf files: diagnostics, hover, go to definition,
// references, rename, completion, symbols and formatting.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("wharf").get("path") || "wharf";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "wharf",
    "Wharf",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "wharf" }] }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
