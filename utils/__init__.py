"""The course's shared helpers: `import utils`, then utils.start(), utils.load_mnist(), utils.fit(), utils.show_images()...

Nothing happens at import time beyond importing: no downloads, no seeding, no plotting. The modules stand on
floors, and a module imports only from its own floor or lower ones (tests/test_layers.py checks it):

    0  config                                  environment variables, where the course is
    1  mode, device, checks, integrity, hosted quick or full, devices and threads, checks for notebooks
    2  data, cifar, text                       data sets and batches
    3  train                                   fit, History, evaluate, checkpoints
    4  plot, plot2d                            figures, and LivePlot, a report for fit
    5  backbone, style, gan_metrics, models, rnn   the course's networks and the lectures' saved code

`integrity` and `hosted` are not exported here: hidden tests and the set-up cell import them by name.
"""
from .backbone import Backbone, BackboneError, course_convnet, load_course_backbone, pretrained_backbone
from .checks import (
                     check_at_least,
                     check_close,
                     check_equal,
                     check_param_count,
                     check_shape,
                     count_trainable,
                     self_check,
)
from .cifar import CIFAR10_CLASSES, load_cifar10
from .config import in_notebook
from .data import DataError, TensorLoader, augment, data_root, load_mnist
from .device import describe_device, get_device, set_seed, set_threads, speed_options, start
from .gan_metrics import (
                     FeatureNet,
                     extract_features,
                     frechet_distance,
                     gaussian_frechet_distance,
                     label_entropy,
                     load_feature_net,
                     train_feature_net,
)
from .mode import full_result, is_quick, mode_line, pick
from .models import mnist_convnet, one_cycle_adamw
from .plot import LivePlot, plot_history, show_feature_maps, show_filters, show_images, show_misclassified
from .plot2d import plot_decision_boundary
from .rnn import CharLSTM, TBPTTStep, detach_state, generate, make_batches, next_char_probs, sample, stream_loss
from .style import course_features, load_picture, random_features, style_backbone, wave_painting
from .text import Vocabulary, load_shakespeare, split_text
from .train import History, evaluate, fit, load_checkpoint, predict, print_epoch, save_checkpoint, supervised_step

__all__ = [
    # backbone and CIFAR-10 (transfer learning)
    "Backbone", "BackboneError", "CIFAR10_CLASSES", "course_convnet", "load_cifar10", "load_course_backbone",
    "pretrained_backbone",
    # checks
    "check_at_least", "check_close", "check_equal", "check_param_count", "check_shape", "self_check", "count_trainable",
    # configuration, data, device, mode
    "in_notebook", "DataError", "TensorLoader", "augment", "data_root", "load_mnist",
    "describe_device", "get_device", "set_seed", "set_threads", "speed_options", "start", "full_result", "is_quick", "mode_line", "pick",
    # GAN metrics
    "FeatureNet", "extract_features", "frechet_distance", "gaussian_frechet_distance", "label_entropy", "load_feature_net", "train_feature_net",
    # models (saved from the lectures)
    "mnist_convnet", "one_cycle_adamw",
    # plots
    "LivePlot", "plot_decision_boundary", "plot_history", "show_feature_maps", "show_filters", "show_images",
    "show_misclassified",
    # recurrent networks (saved from lecture 05)
    "CharLSTM", "TBPTTStep", "detach_state", "generate", "make_batches", "next_char_probs", "sample", "stream_loss",
    # style transfer
    "course_features", "load_picture", "random_features", "style_backbone", "wave_painting",
    # text
    "Vocabulary", "load_shakespeare", "split_text",
    # training
    "History", "evaluate", "fit", "load_checkpoint", "predict", "print_epoch", "save_checkpoint", "supervised_step",
]
