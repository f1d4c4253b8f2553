/** Baseline: the least a Lambda function can be, an async handler that answers 200 at once. */
exports.handler = async () => ({ statusCode: 200 })
