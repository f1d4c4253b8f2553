// The SDK warns once per process that future releases need Node 22; Lambda runs 22, and the
// warning would only bury test output on a Node 20 machine.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
