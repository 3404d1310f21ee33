/** The node agent: device plugin, toolkit step, and the parts that run on every GPU node. */
package dev.gpuop.node;
