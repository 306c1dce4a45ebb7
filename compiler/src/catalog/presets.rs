//! Scenario presets: the documented outbound rules each one expands to.
//!
//! Source: "Workspace Managed Virtual Network Isolation", section "List of
//! scenario specific outbound rules" (the project's seed 002).

/// Python packages: default conda and PyPI hosts, PyTorch and TensorFlow.
pub const PYTHON_PACKAGES: &[&str] = &[
    "anaconda.com",
    "*.anaconda.com",
    "*.anaconda.org",
    "pypi.org",
    "pytorch.org",
    "*.pytorch.org",
    "*.tensorflow.org",
];

/// Added to the Python packages preset when the package index is overridden.
pub const PYTHON_INDEX_OVERRIDDEN: &[&str] = &["*.pythonhosted.org"];

/// Visual Studio Code desktop or web with a compute instance.
pub const VSCODE: &[&str] = &[
    "*.vscode.dev",
    "*.vscode-unpkg.net",
    "*.vscode-cdn.net",
    "*.vscodeexperiments.azureedge.net",
    "default.exp-tas.com",
    "code.visualstudio.com",
    "update.code.visualstudio.com",
    "*.vo.msecnd.net",
    "marketplace.visualstudio.com",
    "vscode.blob.core.windows.net",
    "*.gallerycdn.vsassets.io",
    "vscode.download.prss.microsoft.com",
];

/// HuggingFace models.
pub const HUGGINGFACE: &[&str] = &[
    "docker.io",
    "*.docker.io",
    "*.docker.com",
    "production.cloudflare.docker.com",
    "cdn.auth0.com",
    "cdn-lfs.huggingface.co",
];

/// Batch endpoints / ParallelRunStep: the default storage's sub-resources.
pub const BATCH_STORAGE_SUBRESOURCES: &[&str] = &["queue", "table"];
