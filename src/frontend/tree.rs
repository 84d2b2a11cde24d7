//! A spanned YAML/JSON document tree shared by the CloudFormation frontend and `.tf.json`.
