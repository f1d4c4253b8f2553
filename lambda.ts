/** AWS Lambda entry: the same app as the dev server. Made real by the Lambda issue. */
export {}
